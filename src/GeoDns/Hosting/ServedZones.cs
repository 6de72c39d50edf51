using GeoDns.Admin;
using GeoDns.Core;
using GeoDns.Core.Dns;
using GeoDns.Core.Loading;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Explain;

namespace GeoDns.Hosting;

/// <summary>
/// The admin API's view of the zones (<see cref="IServedZones"/>): the <see cref="QueryProcessor"/>'s
/// current snapshot for live explain, and <see cref="ZoneStore.ReloadWithBuilds"/> for reload. A
/// load observer of the store: it remembers which file each zone was last read from.
/// </summary>
/// <remarks>
/// The served zones keep no zone file in memory (a 1M-record zone's file would cost ~100 MB):
/// explain reads a zone's file again when it names a record's line, and uses it only when the
/// file still has the serial being served; otherwise it says the line is unknown and why.
/// </remarks>
public sealed class ServedZones(QueryProcessor processor, TrafficCompiler compiler, ZonePipeline pipeline, Func<ZoneStore> store) : IServedZones
{
    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);

    /// <summary>The load observer: every file read names its zone's path.</summary>
    public void Observe(IReadOnlyList<ZoneBuild> builds)
    {
        lock (_paths)
        {
            foreach (var build in builds)
            {
                _paths[build.File.Origin.Key] = build.File.Path;
            }
        }
    }

    public ExplainSource Served()
    {
        var snapshot = processor.Snapshot;
        var zones = new List<ExplainZone>();
        lock (_paths)
        {
            foreach (var zone in snapshot.Zones)
            {
                string path = _paths.GetValueOrDefault(zone.Apex.Key) ?? "(file unknown)";
                zones.Add(new ExplainZone(zone, path, () => Read(path, zone.Apex, zone.Serial)));
            }
        }

        return new ExplainSource(snapshot, zones, compiler.Locator, compiler.Random) { Live = true };
    }

    private (ZoneFile? File, string? Missing) Read(string path, DnsName origin, uint serial)
    {
        var file = ZoneFileLoader.Load(path, pipeline.Vocabulary, origin);
        if (file.HasErrors)
        {
            return (null, $"{path} has errors now; serial {serial} is served from the version loaded before");
        }

        uint onDisk = DnsWire.ReadUInt32(file.Soa.RData, file.Soa.RData.Length - 20);
        return onDisk == serial
            ? (file, null)
            : (null, $"{path} now has serial {onDisk}, serial {serial} is served (reload to serve the file)");
    }

    public ReloadReport Reload()
    {
        var zones = store();
        var before = processor.Snapshot.Zones.Select(z => z.Apex.ToString()).ToHashSet(StringComparer.Ordinal);
        var reload = zones.ReloadWithBuilds("admin API");
        var served = processor.Snapshot.Zones.ToDictionary(z => z.Apex.Key, StringComparer.Ordinal);
        var files = reload.Builds.Select(build =>
        {
            var file = build.File;
            served.TryGetValue(file.Origin.Key, out var now);
            string serving = build.Zone is not null ? "new version"
                : now is not null ? $"still serving the previous version (serial {now.Serial})"
                : "not served";
            return new ZoneReloadReport(file.Origin.ToString(), file.Path, build.Zone is not null, now?.Serial,
                file.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), serving,
                [.. file.Diagnostics.Select(d => d.ToString())]);
        }).ToList();
        var removed = reload.FolderError is null
            ? before.Where(z => !served.Values.Any(s => s.Apex.ToString() == z)).Order(StringComparer.Ordinal).ToList()
            : [];
        return new ReloadReport(zones.Reloads, reload.Failed, reload.FolderError, files, removed, served.Count);
    }
}
