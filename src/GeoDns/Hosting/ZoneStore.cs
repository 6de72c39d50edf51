using System.Diagnostics;
using GeoDns.Core;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Zones.Parsing;
using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>
/// Loads the zones folder into snapshots. A zone whose file fails to load (or cannot be read)
/// keeps serving its previous version; the errors are logged with file:line:column. A folder
/// that cannot be listed keeps every zone; only a file gone from a readable folder removes one.
/// </summary>
public sealed class ZoneStore
{
    private readonly string _directory;
    private readonly QueryProcessor _processor;
    private readonly ZonePipeline _pipeline;
    private readonly IReadOnlyList<Action<IReadOnlyList<ZoneBuild>>> _loaded;
    private readonly ILogger<ZoneStore> _logger;
    private readonly Lock _reloadLock = new();
    private readonly Dictionary<string, Zone> _served = new(StringComparer.Ordinal);
    private bool _loadedOnce;
    private int _reloads;

    /// <param name="directory">The zones folder.</param>
    /// <param name="processor">Receives each new snapshot.</param>
    /// <param name="pipeline">Takes each zone file through every stage (the same object <c>geodns check</c> runs).</param>
    /// <param name="loaded">Called in order after each reload with every file's build (traffic and health state follow them).</param>
    /// <param name="logger">One line per zone loaded, every diagnostic.</param>
    public ZoneStore(string directory, QueryProcessor processor, ZonePipeline pipeline,
        IReadOnlyList<Action<IReadOnlyList<ZoneBuild>>> loaded, ILogger<ZoneStore> logger)
    {
        _directory = directory;
        _processor = processor;
        _pipeline = pipeline;
        _loaded = loaded;
        _logger = logger;
    }

    public string Directory => _directory;

    /// <summary>How many reloads have read the folder and swapped in a snapshot.</summary>
    public int Reloads => Volatile.Read(ref _reloads);

    /// <summary>
    /// Re-reads every zone file and swaps in a new snapshot. Returns the number of zones with
    /// errors (1 when the folder itself cannot be read: nothing changes then).
    /// </summary>
    public int Reload() => ReloadWithBuilds().Failed;

    /// <summary>
    /// <see cref="Reload"/>, and what it read: every file's build (diagnostics included) and the
    /// folder's error. Returns once the new snapshot is the one served. Reloads run one at a time.
    /// </summary>
    public ZoneReload ReloadWithBuilds()
    {
        lock (_reloadLock)
        {
            var watch = Stopwatch.StartNew();
            if (!_pipeline.TryLoadDirectory(_directory, out var builds, out string? folderError))
            {
                // A folder moved away, unmounted or unreadable says nothing about the zones: keep them all.
                _logger.LogError("Zones folder {Directory} not reloaded, {Error}; still serving {Count} zone(s) as loaded before",
                    _directory, folderError, _served.Count);
                if (!_loadedOnce)
                {
                    _loadedOnce = true;
                    Notify(builds); // none: lets what waits for the first load (health's first round) go on
                }

                return new ZoneReload(1, builds, folderError);
            }

            if (builds.Count == 0)
            {
                _logger.LogWarning("No *.zone files in {Directory}: no zone is served (each zone is a file named <zone>.zone)",
                    Path.GetFullPath(_directory));
            }

            int failed = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var build in builds)
            {
                var file = build.File;
                seen.Add(file.Origin.Key);
                foreach (var warning in file.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning))
                {
                    _logger.LogWarning("{Diagnostic}", warning.ToString());
                }

                if (build.Zone is not { } zone)
                {
                    failed++;
                    foreach (var error in file.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
                    {
                        _logger.LogError("{Diagnostic}", error.ToString());
                    }

                    _logger.LogError("Zone {Zone} from {File} not loaded ({Errors} errors); {Action}",
                        file.Origin, file.Path, file.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error),
                        _served.ContainsKey(file.Origin.Key) ? "still serving the previous version" : "not served");
                    continue;
                }

                _served[file.Origin.Key] = zone;
                _logger.LogInformation("Loaded zone {Zone} serial {Serial}: {Records} records from {File} in {Milliseconds} ms",
                    zone.Apex, zone.Serial, zone.RecordCount, file.Path, watch.ElapsedMilliseconds);
            }

            foreach (var gone in _served.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _logger.LogWarning("Zone {Zone} removed: its file is gone from {Directory}", _served[gone].Apex, _directory);
                _served.Remove(gone);
            }

            _processor.Swap(new Snapshot(_served.Values.ToList()));
            _loadedOnce = true;
            Interlocked.Increment(ref _reloads);
            Notify(builds);
            return new ZoneReload(failed, builds, null);
        }
    }

    private void Notify(IReadOnlyList<ZoneBuild> builds)
    {
        foreach (var observer in _loaded)
        {
            observer(builds);
        }
    }
}

/// <summary>One reload: how many zone files had errors, every file's build, and the folder's error when it could not be listed.</summary>
public sealed record ZoneReload(int Failed, IReadOnlyList<ZoneBuild> Builds, string? FolderError);
