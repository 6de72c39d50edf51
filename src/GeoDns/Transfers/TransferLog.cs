using Microsoft.Extensions.Logging;

namespace GeoDns.Transfers;

/// <summary>The transfer side's log lines (one per transfer, refusal and NOTIFY outcome).</summary>
internal static partial class TransferLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} of {Zone} from {Client} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string kind, string zone, string client, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signed query for {Name} from {Client} refused: {Reason}")]
    public static partial void SignedQueryRefused(ILogger logger, string name, string client, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} of {Zone} serial {Serial} to {Client} (key {Key}): {Records} records in {Messages} messages, {Elapsed} ms")]
    public static partial void Sent(ILogger logger, string kind, string zone, uint serial, string client, string key, long records, int messages, long elapsed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Zone {Zone} now serves serial {Serial} ({Reason})")]
    public static partial void NewSerial(ILogger logger, string zone, uint serial, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "NOTIFY of {Zone} serial {Serial} acknowledged by {Target} (attempt {Attempt})")]
    public static partial void Notified(ILogger logger, string zone, uint serial, string target, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "NOTIFY of {Zone} serial {Serial} to {Target} failed: {Reason}")]
    public static partial void NotifyFailed(ILogger logger, string zone, uint serial, string target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Zone {Zone}: file serial {Serial} is ahead of the clock's (Unix time {Now}); served serials count up from it and can go back after a restart (docs/transfers.md)")]
    public static partial void SerialAheadOfClock(ILogger logger, string zone, uint serial, long now);
}
