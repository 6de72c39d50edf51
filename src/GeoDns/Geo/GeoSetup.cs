using GeoDns.Core.Traffic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GeoDns.Geo;

/// <summary>Opens the GeoIP databases: the <see cref="IClientLocator"/> geo and nearest pools use.</summary>
public static class GeoSetup
{
    /// <summary>
    /// Registers the <see cref="IClientLocator"/>: MaxMind from <paramref name="geoIp"/> and
    /// <paramref name="geoIpAsn"/>, or none with one warning (opened when first needed).
    /// </summary>
    public static IServiceCollection AddClientLocator(this IServiceCollection services, string? geoIp, string? geoIpAsn) =>
        services.AddSingleton(sp => CreateLocator(geoIp, geoIpAsn, sp.GetRequiredService<ILoggerFactory>().CreateLogger("GeoDns.Geo")));

    /// <summary>Opens the databases; with none, warns once that geo pools will use CIDR rules and fallbacks only.</summary>
    public static IClientLocator CreateLocator(string? geoIp, string? geoIpAsn, ILogger logger)
    {
        geoIp = string.IsNullOrWhiteSpace(geoIp) ? null : geoIp;
        geoIpAsn = string.IsNullOrWhiteSpace(geoIpAsn) ? null : geoIpAsn;
        if (geoIp is null && geoIpAsn is null)
        {
            logger.LogWarning("no GeoIP database (--geoip): geo pools route by their cidrs= rules and otherwise use their fallback; nearest uses failover order");
            return NoLocator.Instance;
        }

        var locator = new MaxMindLocator(geoIp, geoIpAsn);
        logger.LogInformation("GeoIP: {Databases}", locator.Description);
        if (geoIp is null)
        {
            logger.LogWarning("only an ASN database (--geoip-asn): countries, continents and coordinates are unknown");
        }

        return locator;
    }
}
