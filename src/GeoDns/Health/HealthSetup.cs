using GeoDns.Core.Health;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Health;

/// <summary>Registers the checkers, the health monitor and the one-instance shared state.</summary>
public static class HealthSetup
{
    /// <summary>
    /// Adds the checkers — one line each; a checker names the check kinds it runs with their
    /// settings — and the <see cref="CheckerRegistry"/> that finds them by kind.
    /// </summary>
    public static IServiceCollection AddHealthCheckers(this IServiceCollection services)
    {
        services.AddSingleton<IHealthChecker, HttpChecker>();
        services.AddSingleton<IHealthChecker, TcpChecker>();
        services.AddSingleton<IHealthChecker, HalfOpenChecker>();
        services.AddSingleton<IHealthChecker, IcmpChecker>();
        services.AddSingleton<IHealthChecker, DnsChecker>();
        services.AddSingleton<CheckerRegistry>();
        return services;
    }

    /// <summary>
    /// Adds the <see cref="HealthMonitor"/> (also as a hosted service, so it stops with the host).
    /// The caller registers the checkers (<see cref="AddHealthCheckers"/>), the
    /// <see cref="HealthBoard"/>, the <see cref="IHealthStore"/> and the <see cref="TimeProvider"/>,
    /// and hands <see cref="HealthMonitor.Apply"/> to the zone store as a load observer.
    /// </summary>
    public static IServiceCollection AddHealthMonitor(this IServiceCollection services, HealthMonitorOptions? options = null)
    {
        services.AddSingleton(options ?? new HealthMonitorOptions());
        services.AddSingleton<HealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        return services;
    }

    /// <summary>
    /// One instance, no Redis: the in-memory <see cref="IOverrideStore"/>, and a
    /// <see cref="LocalHealthStore"/> as the <see cref="IHealthStore"/> and the
    /// <see cref="ISharedStateView"/>. The caller registers the <see cref="HealthBoard"/> and the
    /// <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddLocalSharedState(this IServiceCollection services, string instance)
    {
        services.AddSingleton<IOverrideStore>(sp => new InMemoryOverrideStore(sp.GetRequiredService<HealthBoard>()));
        services.AddSingleton(sp => new LocalHealthStore(instance, sp.GetRequiredService<IOverrideStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IHealthStore>(sp => sp.GetRequiredService<LocalHealthStore>());
        services.AddSingleton<ISharedStateView>(sp => sp.GetRequiredService<LocalHealthStore>());
        return services;
    }
}
