using Microsoft.Extensions.Logging;

namespace GeoDns.Redis;

/// <summary>The Redis link's log events (source-generated).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 300, EventName = "RedisConnected", Level = LogLevel.Information,
        Message = "Redis connected: {Configured}; servers {EndPoints}")]
    public static partial void Connected(ILogger logger, string configured, string endPoints);

    [LoggerMessage(EventId = 301, EventName = "RedisConnectionLost", Level = LogLevel.Warning,
        Message = "Redis connection to {EndPoint} ({Type}) lost: {Failure}")]
    public static partial void ConnectionLost(ILogger logger, string? endPoint, string type, string failure);

    [LoggerMessage(EventId = 302, EventName = "RedisConnectionRestored", Level = LogLevel.Information,
        Message = "Redis connection to {EndPoint} ({Type}) restored; resyncing")]
    public static partial void ConnectionRestored(ILogger logger, string? endPoint, string type);

    [LoggerMessage(EventId = 303, EventName = "SharedStateDegraded", Level = LogLevel.Warning,
        Message = "Shared state degraded: Redis unreachable ({What}{Error}). Still answering: other instances' last votes count until they are stale, then this instance's own verdicts; reconnecting")]
    public static partial void Degraded(ILogger logger, string what, string error);

    [LoggerMessage(EventId = 304, EventName = "SharedStateHealthy", Level = LogLevel.Information,
        Message = "Shared state healthy again: Redis reachable after {Seconds:F1} s degraded; own votes re-published and state resynced")]
    public static partial void Healthy(ILogger logger, double seconds);
}
