using System.Diagnostics;
using GeoDns.Core.Lookup;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;
using GeoDns.Core;
using GeoDns.Core.Loading;
using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>
/// Loads the zones folder into snapshots. A zone whose file fails to load keeps serving its
/// previous version; the errors are logged with file:line:column.
/// </summary>
public sealed class ZoneStore
{
    private readonly string _directory;
    private readonly ZonePipeline _pipeline;
    private readonly QueryProcessor _processor;
    private readonly ILogger<ZoneStore> _logger;
    private readonly Lock _reloadLock = new();
    private readonly Dictionary<string, Zone> _served = new(StringComparer.Ordinal);

    public ZoneStore(string directory, ZonePipeline pipeline, QueryProcessor processor, ILogger<ZoneStore> logger)
    {
        _directory = directory;
        _pipeline = pipeline;
        _processor = processor;
        _logger = logger;
    }

    public string Directory => _directory;

    /// <summary>Called after each reload with every zone file's build (traffic state follows them).</summary>
    public event Action<IReadOnlyList<ZoneBuild>>? Loaded;

    /// <summary>Re-reads every zone file and swaps in a new snapshot. Returns the number of zones with errors.</summary>
    public int Reload()
    {
        lock (_reloadLock)
        {
            var watch = Stopwatch.StartNew();
            var builds = _pipeline.LoadDirectory(_directory);
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
                _logger.LogInformation("Zone {Zone} removed: its file is gone", _served[gone].Apex);
                _served.Remove(gone);
            }

            _processor.Swap(new Snapshot(_served.Values.ToList()));
            Loaded?.Invoke(builds);
            return failed;
        }
    }
}
