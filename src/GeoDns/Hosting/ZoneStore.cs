using System.Diagnostics;
using GeoDns.Core;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Transfers;
using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>
/// Loads the zones folder into snapshots. A zone whose file fails to load (or cannot be read)
/// keeps serving its previous version; the errors are logged with file:line:column. A folder
/// that cannot be listed keeps every zone; only a file gone from a readable folder removes one.
/// </summary>
public sealed class ZoneStore : IZoneRebuilder
{
    private readonly string _directory;
    private readonly QueryProcessor _processor;
    private readonly ZonePipeline _pipeline;
    private readonly IReadOnlyList<Action<IReadOnlyList<ZoneBuild>>> _loaded;
    private readonly ILogger<ZoneStore> _logger;
    private readonly ZoneMetrics? _metrics;
    private readonly Lock _reloadLock = new();
    private readonly Dictionary<string, Zone> _served = new(StringComparer.Ordinal);
    private bool _loadedOnce;
    private int _reloads;

    /// <param name="directory">The zones folder.</param>
    /// <param name="processor">Receives each new snapshot.</param>
    /// <param name="pipeline">Takes each zone file through every stage (the same object <c>geodns check</c> runs).</param>
    /// <param name="loaded">Called in order after each reload with every file's build (traffic and health state follow them).</param>
    /// <param name="logger">One line per zone loaded, every diagnostic, one per reload.</param>
    /// <param name="metrics">Counts loads by zone and result; null: not counted.</param>
    public ZoneStore(string directory, QueryProcessor processor, ZonePipeline pipeline,
        IReadOnlyList<Action<IReadOnlyList<ZoneBuild>>> loaded, ILogger<ZoneStore> logger, ZoneMetrics? metrics = null)
    {
        _metrics = metrics;
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
    public int Reload() => Reload("request");

    /// <inheritdoc cref="Reload()"/>
    /// <param name="trigger">What asked for it (start, SIGHUP, file change, admin API), for the log.</param>
    public int Reload(string trigger) => ReloadWithBuilds(trigger).Failed;

    /// <summary>
    /// <see cref="Reload()"/>, and what it read: every file's build (diagnostics included) and the
    /// folder's error. Returns once the new snapshot is the one served. Reloads run one at a time.
    /// </summary>
    /// <param name="trigger">What asked for it, for the log.</param>
    public ZoneReload ReloadWithBuilds(string trigger = "request")
    {
        lock (_reloadLock)
        {
            using var collectionWindow = _loadedOnce ? ReloadCollections.Begin() : null;
            var watch = Stopwatch.StartNew();
            var paused = GC.GetTotalPauseDuration();
            int collections = GC.CollectionCount(0); // every collection counts gen0
            if (!_pipeline.TryLoadDirectory(_directory, out var builds, out string? folderError))
            {
                // A folder moved away, unmounted or unreadable says nothing about the zones: keep them all.
                ZoneLog.FolderUnreadable(_logger, _directory, folderError, _served.Count);
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
                    ZoneLog.Warning(_logger, warning.Location.File, warning.Location.Line, warning.Location.Column, warning.Message);
                }

                if (build.Zone is not { } zone)
                {
                    failed++;
                    foreach (var error in file.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
                    {
                        ZoneLog.Error(_logger, error.Location.File, error.Location.Line, error.Location.Column, error.Message);
                    }

                    ZoneLog.NotLoaded(_logger, file.Origin.ToString(), file.Path, file.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error),
                        _served.ContainsKey(file.Origin.Key) ? "still serving the previous version" : "not served");
                    _metrics?.Loaded(file.Origin.ToString(), ok: false);
                    continue;
                }

                _served[file.Origin.Key] = zone;
                ZoneLog.Loaded(_logger, zone.Apex.ToString(), zone.Serial, zone.RecordCount, file.Path, watch.ElapsedMilliseconds);
                _metrics?.Loaded(zone.Apex.ToString(), ok: true);
            }

            int removed = 0;
            foreach (var gone in _served.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                string name = _served[gone].Apex.ToString();
                ZoneLog.Removed(_logger, name, _directory);
                _metrics?.Removed(name);
                _served.Remove(gone);
                removed++;
            }

            _metrics?.Retain(builds.Select(b => b.File.Origin.ToString()).ToHashSet(StringComparer.Ordinal));
            _processor.Swap(new Snapshot(_served.Values.ToList()));
            _loadedOnce = true;
            int reloads = Interlocked.Increment(ref _reloads);
            Notify(builds);
            ZoneLog.Reloaded(_logger, reloads, trigger, _served.Count, failed, removed, watch.ElapsedMilliseconds,
                (long)(GC.GetTotalPauseDuration() - paused).TotalMilliseconds, GC.CollectionCount(0) - collections);
            return new ZoneReload(failed, builds, null);
        }
    }

    /// <inheritdoc/>
    public bool Reserial(Zone served, uint serial)
    {
        lock (_reloadLock)
        {
            if (served.Source is null || !_served.TryGetValue(served.Apex.Key, out var current) || !ReferenceEquals(current, served))
            {
                return false;
            }

            _served[served.Apex.Key] = _pipeline.Rebuild(served.Source, serial);
            _processor.Swap(new Snapshot(_served.Values.ToList()));
            return true;
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
