using System.Diagnostics.Metrics;

namespace GeoDns.Redis;

/// <summary>
/// The Redis link's instruments (meter <see cref="MeterName"/>), all read from
/// <see cref="RedisLink"/> when collected: connected, degraded, failed operations, degraded episodes.
/// </summary>
public sealed class RedisMetrics
{
    public const string MeterName = "GeoDns.Redis";

    public RedisMetrics(IMeterFactory meters, RedisLink link)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("geodns.redis.connected", () => link.IsConnected ? 1 : 0, null,
            "1 while the connection to Redis is up");
        meter.CreateObservableGauge("geodns.redis.degraded", () => link.Degraded ? 1 : 0, null,
            "1 from a failed Redis operation until a full resync succeeds (answers go on from what this instance knows)");
        meter.CreateObservableCounter("geodns.redis.failed_operations", () => link.FailedOperations, "{operation}",
            "Redis operations that failed");
        meter.CreateObservableCounter("geodns.redis.degraded_episodes", () => link.DegradedEpisodes, "{episode}",
            "Times the shared state went from healthy to degraded");
    }
}
