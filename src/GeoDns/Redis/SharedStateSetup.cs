using GeoDns.Admin;
using GeoDns.Core.Health;
using GeoDns.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace GeoDns.Redis;

/// <summary>
/// Registers the health store, the override store and the admin API. Without Redis: the
/// in-memory stores (one instance); with Redis: votes and overrides shared through it.
/// Registers (unless already there) a singleton <see cref="HealthBoard"/> and <see cref="TimeProvider"/>;
/// replaces any <see cref="IHealthStore"/> registered before.
/// </summary>
public static class SharedStateSetup
{
    /// <summary>Reads the keys <c>Redis</c>, <c>Instance</c>, <c>Admin</c>, <c>AdminTokenFile</c> of <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddSharedState(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSharedState(configuration["Redis"], configuration["Instance"], configuration["Admin"], configuration["AdminTokenFile"]);

    public static IServiceCollection AddSharedState(this IServiceCollection services, string? redis, string? instance,
        string? admin, string? adminTokenFile, TimeSpan? syncInterval = null, string prefix = "geodns:")
    {
        instance = string.IsNullOrWhiteSpace(instance) ? Environment.MachineName : instance.Trim();
        if (instance.Any(char.IsWhiteSpace))
        {
            throw new InvalidOperationException($"--instance '{instance}' must not contain spaces");
        }

        services.TryAddSingleton<HealthBoard>();
        services.TryAddSingleton(TimeProvider.System);
        services.RemoveAll<IHealthStore>();
        if (!string.IsNullOrWhiteSpace(redis))
        {
            var options = new RedisSharedStateOptions
            {
                Configuration = redis,
                Instance = instance,
                SyncInterval = syncInterval,
                Prefix = prefix,
            };
            _ = options.ToConfigurationOptions(); // a malformed configuration string fails at start, with its message
            services.AddSingleton(options);
            services.AddSingleton<RedisLink>();
            services.AddSingleton<RedisOverrideStore>();
            services.AddSingleton<IOverrideStore>(sp => sp.GetRequiredService<RedisOverrideStore>());
            services.AddSingleton(sp => new RedisHealthStore(sp.GetRequiredService<HealthBoard>(), sp.GetRequiredService<RedisLink>(),
                sp.GetRequiredService<ILogger<RedisHealthStore>>(), sp.GetRequiredService<IOverrideStore>()));
            services.AddSingleton<IHealthStore>(sp => sp.GetRequiredService<RedisHealthStore>());
            services.AddSingleton<ISharedStateView>(sp => sp.GetRequiredService<RedisHealthStore>());
            services.AddSingleton<RedisSyncService>();
            services.AddHostedService(sp => sp.GetRequiredService<RedisSyncService>());
        }
        else
        {
            services.AddSingleton<IOverrideStore>(sp => new InMemoryOverrideStore(sp.GetRequiredService<HealthBoard>()));
            services.AddSingleton(sp => new LocalHealthStore(instance, sp.GetRequiredService<IOverrideStore>(), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IHealthStore>(sp => sp.GetRequiredService<LocalHealthStore>());
            services.AddSingleton<ISharedStateView>(sp => sp.GetRequiredService<LocalHealthStore>());
        }

        if (!string.IsNullOrWhiteSpace(admin))
        {
            var endPoint = AdminOptions.ParseEndPoint(admin);
            var token = string.IsNullOrWhiteSpace(adminTokenFile) ? AdminToken.None : AdminToken.FromFile(adminTokenFile);
            services.AddSingleton(new AdminOptions(endPoint, token));
            services.AddSingleton<AdminService>();
            services.AddHostedService(sp => sp.GetRequiredService<AdminService>());
        }

        return services;
    }
}
