using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>Reloads after zone files (<c>*.zone</c>) change, once the burst of writes has settled.</summary>
public sealed class ZoneWatcher : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);
    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;

    public ZoneWatcher(string directory, Action reload, ILogger logger)
    {
        _timer = new Timer(_ =>
        {
            try
            {
                reload();
            }
            catch (Exception e)
            {
                // One line; the stack trace only at debug level.
                ZoneLog.ReloadFailed(logger, "file change", $"{e.GetType().Name}: {e.Message}");
                logger.LogDebug(e, "Reload after a file change failed");
            }
        });
        // Only the files the loader reads (*.zone at the top of the folder): a log or any other
        // file written there must not reload (a reload's own log line would set off the next).
        _watcher = new FileSystemWatcher(directory, "*" + Core.Zones.ZoneFileLoader.ZoneFileSuffix)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        _watcher.Changed += (_, e) => Poke(e.FullPath);
        _watcher.Created += (_, e) => Poke(e.FullPath);
        _watcher.Deleted += (_, e) => Poke(e.FullPath);
        _watcher.Renamed += (_, e) => Poke(e.FullPath, e.OldFullPath);
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }

    /// <summary>Each write (re)starts the settle time: a file written in bursts loads once, whole.</summary>
    private void Poke(string path, string? oldPath = null)
    {
        if (Core.Zones.ZoneFileLoader.IsZoneFileName(path) || (oldPath is not null && Core.Zones.ZoneFileLoader.IsZoneFileName(oldPath)))
        {
            _timer.Change(Settle, Timeout.InfiniteTimeSpan);
        }
    }
}
