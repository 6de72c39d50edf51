using System.Diagnostics;
using GeoDns.Core;
using GeoDns.Core.Lookup;
using GeoDns.Core.Zones;
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
    private readonly ILogger<ZoneStore> _logger;
    private readonly Lock _reloadLock = new();
    private readonly Dictionary<string, Zone> _served = new(StringComparer.Ordinal);
    private bool _loadedOnce;

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

    /// <summary>
    /// Re-reads every zone file and swaps in a new snapshot. Returns the number of zones with
    /// errors (1 when the folder itself cannot be read: nothing changes then).
    /// </summary>
    public int Reload()
    {
        lock (_reloadLock)
        {
            if (!ZoneDirectoryLoader.TryLoadAll(_directory, out var files, out string? folderError))
            {
                // A folder moved away, unmounted or unreadable says nothing about the zones: keep them all.
                _logger.LogError("Zones folder {Directory} not reloaded, {Error}; still serving {Count} zone(s) as loaded before",
                    _directory, folderError, _served.Count);
                if (!_loadedOnce)
                {
                    _loadedOnce = true;
                    Loaded?.Invoke(files); // none: lets what waits for the first load (health's first round) go on
                }

                return 1;
            }

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
                _logger.LogWarning("Zone {Zone} removed: its file is gone from {Directory}", _served[gone].Apex, _directory);
                _served.Remove(gone);
            }

            _processor.Swap(new Snapshot(_served.Values.ToList()));
            _loadedOnce = true;
            Loaded?.Invoke(files);
            return failed;
        }
    }
}
