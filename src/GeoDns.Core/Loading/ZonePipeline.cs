using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Loading;

/// <summary>A zone file after every stage: the zone to serve and its probes, or the file with its errors.</summary>
public sealed record ZoneBuild(ZoneFile File, Zone? Zone, IReadOnlyList<ProbeTarget> Probes)
{
    public bool HasErrors => Zone is null;
}

/// <summary>
/// The stages that turn zone files into what the server answers from, in the order
/// <c>geodns serve</c> runs them: parse and validate (against the registered policies and check
/// kinds), plan the probes, compile the zone with its pools. <c>geodns check</c> runs the same
/// object, so whatever serve would reject, check reports with file:line:column.
/// </summary>
public sealed class ZonePipeline
{
    private readonly TrafficVocabulary _vocabulary;
    private readonly TrafficCompiler _traffic;

    public ZonePipeline(TrafficVocabulary vocabulary, TrafficCompiler traffic)
    {
        _vocabulary = vocabulary;
        _traffic = traffic;
    }

    public ITrafficVocabulary Vocabulary => _vocabulary;

    /// <summary>
    /// Which zones keep their file's records after the build (<see cref="Zone.Source"/>, what a
    /// zone transfer sends); null: all. The others drop them: a large zone's records are then
    /// garbage once its answers are prepared.
    /// </summary>
    public Func<DnsName, bool>? KeepsRecords { get; set; }

    /// <summary>The built-in policies and check kinds, pools compiled without GeoIP against <paramref name="board"/>.</summary>
    public static ZonePipeline BuiltIn(HealthBoard? board = null) =>
        new(TrafficVocabulary.BuiltIn, new TrafficCompiler(board ?? new HealthBoard(), TrafficVocabulary.BuiltIn.Policies));

    /// <summary>Every <c>*.zone</c> file of <paramref name="directory"/> through every stage.</summary>
    public IReadOnlyList<ZoneBuild> LoadDirectory(string directory) =>
        [.. ZoneDirectoryLoader.LoadAll(directory, _vocabulary).Select(Build)];

    /// <summary>
    /// Like <see cref="LoadDirectory"/>, but a folder that cannot be listed (missing, not a
    /// folder, unreadable) is told apart from its files: false, the reason in <paramref name="error"/>.
    /// </summary>
    public bool TryLoadDirectory(string directory, out IReadOnlyList<ZoneBuild> builds,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        bool listed = ZoneDirectoryLoader.TryLoadAll(directory, _vocabulary, out var files, out error);
        builds = [.. files.Select(Build)];
        return listed;
    }

    /// <summary>Takes a parsed file through the later stages; the first stage with errors stops it.</summary>
    public ZoneBuild Build(ZoneFile file)
    {
        if (file.HasErrors)
        {
            return new ZoneBuild(file, null, []);
        }

        var problems = new List<ZoneDiagnostic>();
        var probes = ProbePlan.Build(file, _vocabulary.Checks, problems);
        if (problems.Count > 0)
        {
            return new ZoneBuild(file.WithDiagnostics(problems), null, []);
        }

        try
        {
            var zone = BuildZone(file, _traffic);
            if (KeepsRecords is { } keeps && !keeps(file.Origin))
            {
                zone.Source = null;
            }

            return new ZoneBuild(file, zone, probes);
        }
        catch (InvalidOperationException e)
        {
            var at = new SourceLocation(file.Path, 1, 1);
            return new ZoneBuild(file.WithDiagnostics(new ZoneDiagnostic(DiagnosticSeverity.Error, at, $"cannot build the zone: {e.Message}")), null, []);
        }
    }

    /// <summary>Builds the served zone, pools included, with <paramref name="traffic"/> compiling each pool.</summary>
    public static Zone BuildZone(ZoneFile file, TrafficCompiler traffic) =>
        ZoneBuilder.Build(file, pool => traffic.Compile(pool, file.Regions));

    /// <summary>The zone of an already loaded file again, serving <paramref name="serial"/> as its SOA serial.</summary>
    public Zone Rebuild(ZoneFile file, uint serial) =>
        ZoneBuilder.Build(file, pool => _traffic.Compile(pool, file.Regions), serial);
}
