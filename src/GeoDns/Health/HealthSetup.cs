using GeoDns.Core.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GeoDns.Health;

/// <summary>Registers the checkers and the health monitor.</summary>
public static class HealthSetup
{
    /// <summary>
    /// Adds the http/https, tcp, icmp and dns checkers, the <see cref="CheckerRegistry"/> and the
    /// <see cref="HealthMonitor"/> (also as a hosted service, so it stops with the host), plus a
    /// <see cref="HealthBoard"/>, an in-memory <see cref="IHealthStore"/> and the system
    /// <see cref="TimeProvider"/> unless already registered. The host must still connect the
    /// monitor to zone loads: <c>zoneStore.Loaded += monitor.Apply</c>.
    /// </summary>
    public static IServiceCollection AddHealthMonitoring(this IServiceCollection services, HealthMonitorOptions? options = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HealthBoard>();
        services.TryAddSingleton<IHealthStore, InMemoryHealthStore>();
        services.TryAddSingleton(options ?? new HealthMonitorOptions());
        services.AddSingleton<IHealthChecker, HttpChecker>();
        services.AddSingleton<IHealthChecker, TcpChecker>();
        services.AddSingleton<IHealthChecker, IcmpChecker>();
        services.AddSingleton<IHealthChecker, DnsChecker>();
        services.TryAddSingleton<CheckerRegistry>();
        services.TryAddSingleton<HealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        return services;
    }
}
