using GeoDns.Core.Health;
using GeoDns.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GeoDns.Redis;

/// <summary>Registers health votes and operator overrides shared through Redis.</summary>
public static class RedisSetup
{
    /// <summary>
    /// Adds the Redis link, the Redis <see cref="IOverrideStore"/>, <see cref="IHealthStore"/> and
    /// <see cref="ISharedStateView"/>, and the <see cref="RedisSyncService"/> (hosted). A malformed
    /// configuration string throws at once, with its message. The caller registers the
    /// <see cref="HealthBoard"/> and the <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddRedisSharedState(this IServiceCollection services, RedisSharedStateOptions options)
    {
        _ = options.ToConfigurationOptions(); // a malformed configuration string fails at start, with its message
        services.AddSingleton(options);
        services.AddSingleton<RedisLink>();
        services.AddSingleton<RedisOverrideStore>();
        services.AddSingleton<IOverrideStore>(sp => sp.GetRequiredService<RedisOverrideStore>());
        services.AddSingleton(sp => new RedisHealthStore(sp.GetRequiredService<HealthBoard>(), sp.GetRequiredService<RedisLink>(),
            sp.GetRequiredService<ILogger<RedisHealthStore>>(), sp.GetRequiredService<IOverrideStore>()));
        services.AddSingleton<IHealthStore>(sp => sp.GetRequiredService<RedisHealthStore>());
        services.AddSingleton<ISharedStateView>(sp => sp.GetRequiredService<RedisHealthStore>());
        services.AddSingleton<RedisMetrics>(); // made only when metrics are collected
        services.AddSingleton<RedisSyncService>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisSyncService>());
        return services;
    }
}
