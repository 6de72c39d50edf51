using System.Diagnostics;
using GeoDns.Core.Lookup;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;
using GeoDns.Core;
using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>
/// Loads the zones folder into snapshots. A zone whose file fails to load keeps serving its
/// previous version; the errors are logged with file:line:column.
/// </summary>
public sealed class ZoneStore
{
    private readonly string _directory;
    private readonly QueryProcessor _processor;
    private readonly ILogger<ZoneStore> _logger;
    private readonly Lock _reloadLock = new();
    private readonly Dictionary<string, Zone> _served = new(StringComparer.Ordinal);

    public ZoneStore(string directory, QueryProcessor processor, ILogger<ZoneStore> logger)
    {
        _directory = directory;
        _processor = processor;
        _logger = logger;
    }

    public string Directory => _directory;

    /// <summary>Called after each reload with the zone files read (traffic state follows them).</summary>
    public event Action<IReadOnlyList<ZoneFile>>? Loaded;

    /// <summary>Makes the per-query answer of each pool; set by the traffic layer.</summary>
    public Func<ZoneFile, Zone>? Compiler { get; set; }

    /// <summary>Re-reads every zone file and swaps in a new snapshot. Returns the number of zones with errors.</summary>
    public int Reload()
    {
        lock (_reloadLock)
        {
            var files = ZoneDirectoryLoader.LoadAll(_directory);
            int failed = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                seen.Add(file.Origin.Key);
                foreach (var warning in file.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning))
                {
                    _logger.LogWarning("{Diagnostic}", warning.ToString());
                }

                if (file.HasErrors)
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

                var watch = Stopwatch.StartNew();
                try
                {
                    var zone = Compiler is null ? ZoneBuilder.Build(file) : Compiler(file);
                    _served[file.Origin.Key] = zone;
                    _logger.LogInformation("Loaded zone {Zone} serial {Serial}: {Records} records from {File} in {Milliseconds} ms",
                        zone.Apex, zone.Serial, zone.RecordCount, file.Path, watch.ElapsedMilliseconds);
                }
                catch (Exception e)
                {
                    failed++;
                    _logger.LogError(e, "Zone {Zone} from {File} could not be built; {Action}", file.Origin, file.Path,
                        _served.ContainsKey(file.Origin.Key) ? "still serving the previous version" : "not served");
                }
            }

            foreach (var gone in _served.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _logger.LogInformation("Zone {Zone} removed: its file is gone", _served[gone].Apex);
                _served.Remove(gone);
            }

            _processor.Swap(new Snapshot(_served.Values.ToList()));
            Loaded?.Invoke(files);
            return failed;
        }
    }
}
