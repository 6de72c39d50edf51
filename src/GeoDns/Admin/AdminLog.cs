using Microsoft.Extensions.Logging;

namespace GeoDns.Admin;

/// <summary>The admin API's log events (source-generated). A token is never logged, only its name.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(EventId = 400, EventName = "OverrideApplied", Level = LogLevel.Warning,
        Message = "Override {Change} by {Caller} (token {Token}): {Outcome}; {Detail}")]
    public static partial void OverrideApplied(ILogger logger, string change, string caller, string token, string outcome, string detail);

    [LoggerMessage(EventId = 401, EventName = "OverrideRefused", Level = LogLevel.Warning,
        Message = "Admin change refused for {Caller}: {Method} {Path} ({Status}, {Why})")]
    public static partial void Refused(ILogger logger, string caller, string method, string path, int status, string why);
}
