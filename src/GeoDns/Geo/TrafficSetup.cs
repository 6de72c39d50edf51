using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Traffic;
using GeoDns.Health;
using GeoDns.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GeoDns.Geo;

/// <summary>Wires traffic management into the host: the health board, the GeoIP locator and the pool compiler.</summary>
public static class TrafficSetup
{
    /// <summary>
    /// Registers <see cref="HealthBoard"/>, <see cref="IClientLocator"/> (MaxMind from
    /// <c>GeoIp</c>/<c>GeoIpAsn</c>, or none with one warning) and <see cref="TrafficCompiler"/>.
    /// </summary>
    public static IServiceCollection AddTraffic(this IServiceCollection services)
    {
        services.TryAddSingleton<HealthBoard>();
        services.TryAddSingleton<IClientLocator>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GeoDnsOptions>>().Value;
            return CreateLocator(options.GeoIp, options.GeoIpAsn, sp.GetRequiredService<ILoggerFactory>().CreateLogger("GeoDns.Geo"));
        });
        services.TryAddSingleton(_ => PolicyRegistry.CreateDefault());
        services.TryAddSingleton(sp => new TrafficCompiler(sp.GetRequiredService<HealthBoard>(), sp.GetRequiredService<IClientLocator>(), sp.GetRequiredService<PolicyRegistry>()));
        services.TryAddSingleton(sp => new TrafficVocabulary(sp.GetRequiredService<PolicyRegistry>(), sp.GetRequiredService<CheckerRegistry>().CheckKinds));
        services.TryAddSingleton(sp => new ZonePipeline(sp.GetRequiredService<TrafficVocabulary>(), sp.GetRequiredService<TrafficCompiler>()));
        return services;
    }

    /// <summary>
    /// After each reload of <paramref name="store"/>, makes the <see cref="HealthBoard"/> forget members no served zone declares any more (so the
    /// admin API stops listing them and their regions). A zone that failed to load keeps the
    /// members of the version still served.
    /// </summary>
    public static void Attach(ZoneStore store, IServiceProvider services)
    {
        var board = services.GetRequiredService<HealthBoard>();
        var served = new Dictionary<string, IReadOnlySet<MemberKey>>(StringComparer.Ordinal);
        store.Loaded += builds =>
        {
            var present = builds.Select(b => b.File.Origin.Key).ToHashSet(StringComparer.Ordinal);
            lock (served)
            {
                foreach (var build in builds.Where(b => !b.HasErrors))
                {
                    served[build.File.Origin.Key] = TrafficCompiler.KeysOf([build.File]);
                }

                foreach (var gone in served.Keys.Where(k => !present.Contains(k)).ToList())
                {
                    served.Remove(gone);
                }

                board.Retain(served.Values.SelectMany(k => k).ToHashSet());
            }
        };
    }

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
