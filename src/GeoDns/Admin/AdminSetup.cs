using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Admin;

/// <summary>Registers the admin API.</summary>
public static class AdminSetup
{
    /// <summary>
    /// Adds the admin API (<see cref="AdminService"/>, also as a hosted service) listening on
    /// <paramref name="endPoint"/> (<c>ADDR:PORT</c>); mutating calls need the token in
    /// <paramref name="tokenFile"/> and are refused without one. Throws at once on a malformed
    /// address or an unreadable token file. The caller registers what the API reads: the
    /// <see cref="Core.Health.HealthBoard"/>, the <see cref="Core.Health.IOverrideStore"/>, the
    /// <see cref="Health.ISharedStateView"/> and any <see cref="Health.IReadinessCheck"/> (for <c>/readyz</c>).
    /// </summary>
    public static IServiceCollection AddAdminApi(this IServiceCollection services, string endPoint, string? tokenFile)
    {
        var address = AdminOptions.ParseEndPoint(endPoint);
        var token = string.IsNullOrWhiteSpace(tokenFile) ? AdminToken.None : AdminToken.FromFile(tokenFile);
        services.AddSingleton(new AdminOptions(address, token));
        services.AddSingleton<AdminService>();
        services.AddHostedService(sp => sp.GetRequiredService<AdminService>());
        return services;
    }
}
