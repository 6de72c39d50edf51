using GeoDns.Core.Health;
using Microsoft.Extensions.Logging;

namespace GeoDns.Health;

/// <summary>The health monitor's log events (source-generated).</summary>
internal static partial class HealthLog
{
    /// <summary>One line per verdict change: warning when the member goes down, information otherwise.</summary>
    [LoggerMessage(EventId = 200, EventName = "HealthTransition",
        Message = "Health transition pool={Pool} member={Member} region={Region} check={Check} {From} -> {To}: {Reason} (probe {Latency} ms)")]
    public static partial void Transition(ILogger logger, LogLevel level, string pool, string member, string region, string check,
        HealthStatus from, HealthStatus to, string reason, double latency);

    [LoggerMessage(EventId = 201, EventName = "HealthNoLongerChecked", Level = LogLevel.Information,
        Message = "Health checks stopped for pool={Pool} member={Member}: no longer checked, counts as up")]
    public static partial void NoLongerChecked(ILogger logger, string pool, string member);
}
