using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>
/// The zone store's log events (source-generated: nothing is formatted unless the level is on).
/// A zone error is one line, <c>file:line:column: error: message</c>, never a stack trace.
/// </summary>
internal static partial class ZoneLog
{
    [LoggerMessage(EventId = 100, EventName = "ZoneLoaded", Level = LogLevel.Information,
        Message = "Loaded zone {Zone} serial {Serial}: {Records} records from {File} in {Milliseconds} ms")]
    public static partial void Loaded(ILogger logger, string zone, uint serial, int records, string file, long milliseconds);

    [LoggerMessage(EventId = 101, EventName = "ZoneNotLoaded", Level = LogLevel.Error,
        Message = "Zone {Zone} from {File} not loaded ({Errors} errors); {Action}")]
    public static partial void NotLoaded(ILogger logger, string zone, string file, int errors, string action);

    [LoggerMessage(EventId = 102, EventName = "ZoneError", Level = LogLevel.Error,
        Message = "{File}:{Line}:{Column}: error: {Problem}")]
    public static partial void Error(ILogger logger, string file, int line, int column, string problem);

    [LoggerMessage(EventId = 103, EventName = "ZoneWarning", Level = LogLevel.Warning,
        Message = "{File}:{Line}:{Column}: warning: {Problem}")]
    public static partial void Warning(ILogger logger, string file, int line, int column, string problem);

    [LoggerMessage(EventId = 104, EventName = "ZoneRemoved", Level = LogLevel.Warning,
        Message = "Zone {Zone} removed: its file is gone from {Directory}")]
    public static partial void Removed(ILogger logger, string zone, string directory);

    [LoggerMessage(EventId = 105, EventName = "ZonesFolderUnreadable", Level = LogLevel.Error,
        Message = "Zones folder {Directory} not reloaded, {Problem}; still serving {Count} zone(s) as loaded before")]
    public static partial void FolderUnreadable(ILogger logger, string directory, string? problem, int count);

    [LoggerMessage(EventId = 106, EventName = "ZonesReloaded", Level = LogLevel.Information,
        Message = "Reload {Reload} ({Trigger}): serving {Zones} zone(s); {Failed} failed to load, {Removed} deleted; {Milliseconds} ms, garbage collections paused threads {PauseMilliseconds} ms in {Collections} collections")]
    public static partial void Reloaded(ILogger logger, int reload, string trigger, int zones, int failed, int removed, long milliseconds, long pauseMilliseconds, int collections);

    [LoggerMessage(EventId = 107, EventName = "ReloadFailed", Level = LogLevel.Error,
        Message = "Reload ({Trigger}) failed: {Problem}")]
    public static partial void ReloadFailed(ILogger logger, string trigger, string problem);
}
