using GeoDns.Health;
using GeoDns.Redis;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Hosting;

/// <summary>
/// Chooses where health votes and operator overrides live. Without Redis: the in-memory stores
/// (one instance); with Redis: votes and overrides shared through it.
/// </summary>
public static class SharedStateSetup
{
    /// <summary>
    /// Registers the <see cref="Core.Health.IHealthStore"/>, the <see cref="Core.Health.IOverrideStore"/>
    /// and the <see cref="ISharedStateView"/> (plus, with Redis, its sync service). The caller
    /// registers the <see cref="Core.Health.HealthBoard"/> and the <see cref="TimeProvider"/>.
    /// <paramref name="instance"/> defaults to the host name and must not contain spaces;
    /// <paramref name="redisCaFile"/> (a CA certificate Redis's TLS certificate is checked against) turns TLS on.
    /// </summary>
    public static IServiceCollection AddSharedState(this IServiceCollection services, string? redis, string? instance,
        TimeSpan? syncInterval = null, string prefix = RedisSharedStateOptions.DefaultPrefix, string? redisCaFile = null)
    {
        instance = string.IsNullOrWhiteSpace(instance) ? Environment.MachineName : instance.Trim();
        if (instance.Any(char.IsWhiteSpace))
        {
            throw new InvalidOperationException($"--instance '{instance}' must not contain spaces");
        }

        if (!string.IsNullOrWhiteSpace(redis))
        {
            services.AddRedisSharedState(new RedisSharedStateOptions
            {
                Configuration = redis,
                CaFile = redisCaFile,
                Instance = instance,
                SyncInterval = syncInterval,
                Prefix = prefix,
            });
        }
        else
        {
            services.AddLocalSharedState(instance);
        }

        return services;
    }
}
