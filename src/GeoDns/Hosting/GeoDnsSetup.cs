using GeoDns.Admin;
using GeoDns.Core;
using GeoDns.Core.Dnssec;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.RateLimiting;
using GeoDns.Core.Traffic;
using GeoDns.Dnssec;
using GeoDns.Geo;
using GeoDns.Health;
using GeoDns.Server;
using GeoDns.Transfers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>The composition of <c>geodns serve</c>: every part of the server, registered once, wired here.</summary>
public static class GeoDnsSetup
{
    /// <summary>
    /// Registers the whole server for <paramref name="options"/>. Invalid settings (a malformed
    /// <c>--dns</c>, a negative <c>--udp-threads</c>, an <c>--instance</c> with spaces, a malformed
    /// <c>--redis</c>, <c>--admin</c> or <c>--otlp</c>, an unreadable token file, an <c>--nsid</c>
    /// too long, a malformed or unreadable cookie secret) throw here, before anything starts.
    /// </summary>
    public static IServiceCollection AddGeoDns(this IServiceCollection services, GeoDnsOptions options)
    {
        options.Validate();
        var transfers = TransferPolicy.Read(options.Tsig, options.Transfer); // a bad key file or rule stops the start here

        // The shared singletons: registered here and nowhere else.
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<HealthBoard>();
        byte[] nsid = options.NsidBytes();
        var cookies = options.Cookies.Build(TimeProvider.System);
        var keyring = LoadKeys(options.Keys);
        services.AddSingleton(keyring);
        if (!string.IsNullOrWhiteSpace(options.Keys))
        {
            services.AddSingleton(sp => new KeyReloader(options.Keys, sp.GetRequiredService<QueryProcessor>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<KeyReloader>>()));
        }
        services.AddSingleton(sp => new CookieReloader(options.Cookies, sp.GetRequiredService<QueryProcessor>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CookieReloader>>()));
        services.AddSingleton(sp => new QueryProcessor(Snapshot.Empty)
        {
            Nsid = nsid,
            Signer = keyring.Zones.Count > 0 ? new ResponseSigner(keyring, sp.GetRequiredService<TimeProvider>()) : null,

            // DNS cookies, on unless Cookies:Enabled is false; a valid one lets a client past RRL.
            Cookies = cookies,

            // Response rate limiting (UDP only), off unless Rrl:ResponsesPerSecond is set.
            RateLimiter = options.Rrl.Enabled ? new ResponseRateLimiter(options.Rrl, sp.GetRequiredService<TimeProvider>()) : null,
        });

        // Metrics first: the meter provider starts before anything it counts (the first zone load).
        services.AddGeoDnsMetrics(options);

        // Traffic management: where clients are, the policies and checkers zone files may name,
        // and the pipeline that builds zones with their pools.
        services.AddZonePipeline(options.GeoIp, options.GeoIpAsn);
        services.AddSingleton<TrafficZones>();

        // Hosted services start in this order and stop in reverse: shared-state sync (with
        // Redis), admin API (answers /readyz while the DNS side starts), health monitor, DNS.
        services.AddSharedState(options.Redis, options.Instance, redisCaFile: options.RedisCaFile);
        if (!string.IsNullOrWhiteSpace(options.Admin))
        {
            services.AddAdminApi(options.Admin, options.AdminTokenFile);
        }

        services.AddHealthMonitor();

        // The reload pipeline: each zone file goes through the ZonePipeline; after each reload the
        // board forgets members no zone declares, then the monitor reconciles its probes.
        services.AddSingleton(sp =>
        {
            var traffic = sp.GetRequiredService<TrafficZones>();
            var health = sp.GetRequiredService<HealthMonitor>();
            var served = sp.GetRequiredService<ServedZones>();
            var pipeline = sp.GetRequiredService<ZonePipeline>();
            pipeline.KeepsRecords = zone => transfers.RuleFor(zone) is not null; // only zones a secondary may transfer
            return new ZoneStore(options.Zones, sp.GetRequiredService<QueryProcessor>(), sp.GetRequiredService<ZonePipeline>(),
                [traffic.Retain, builds => health.Apply([.. builds.Select(b => b.File)]), served.Observe, _ => sp.GetService<KeyReloader>()?.Reload(), _ => sp.GetRequiredService<CookieReloader>().Reload()],
                sp.GetRequiredService<ILogger<ZoneStore>>(),
                sp.GetService<ZoneMetrics>());
        });
        services.AddSingleton<DnsListeners>(); // bound by GeoDnsHost.Build, before anything starts

        // Zone transfers, TSIG and NOTIFY (docs/transfers.md): only when keys or rules are configured.
        if (!transfers.IsEmpty)
        {
            services.AddSingleton(transfers);
            services.AddSingleton<ZoneVersions>();
            services.AddSingleton<ZoneTransfers>();
            services.AddSingleton<IZoneTransferHandler>(sp => sp.GetRequiredService<ZoneTransfers>());
            services.AddSingleton<IZoneRebuilder>(sp => sp.GetRequiredService<ZoneStore>());
            services.AddHostedService<SerialKeeper>();
        }

        // What the admin API explains from and reloads with (live explain, POST /api/v1/reload).
        services.AddSingleton(sp => new ServedZones(sp.GetRequiredService<QueryProcessor>(), sp.GetRequiredService<TrafficCompiler>(),
            sp.GetRequiredService<ZonePipeline>(), () => sp.GetRequiredService<ZoneStore>()));
        services.AddSingleton<IServedZones>(sp => sp.GetRequiredService<ServedZones>());
        services.AddSingleton<DnsServerService>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsServerService>());
        services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<DnsServerService>());
        return services;
    }

    /// <summary>The DNSSEC keys of <c>--keys</c>; a key file that cannot be used stops the start with its one-line error.</summary>
    private static Keyring LoadKeys(string? directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            return Keyring.Empty;
        }

        var keyring = KeyDirectory.Load(directory, out var errors);
        return errors.Count > 0 ? throw new FormatException($"--keys: {errors[0]}") : keyring;
    }

    /// <summary>
    /// The zone pipeline and what it needs: the GeoIP locator, the routing policies, the
    /// checkers (their check kinds are the zone syntax's vocabulary) and the pool compiler.
    /// <c>geodns serve</c> and <c>geodns check</c> both build zones through this registration.
    /// The caller registers the <see cref="HealthBoard"/> and the <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddZonePipeline(this IServiceCollection services, string? geoIp, string? geoIpAsn)
    {
        services.AddClientLocator(geoIp, geoIpAsn);
        services.AddSingleton(sp =>
        {
            // The built-in policies, then any registered as IRoutingPolicy (one line each).
            var policies = BuiltIns.Policies();
            foreach (var policy in sp.GetServices<IRoutingPolicy>())
            {
                policies.Register(policy);
            }

            return policies;
        });
        services.AddHealthCheckers();
        services.AddSingleton(sp => new TrafficCompiler(sp.GetRequiredService<HealthBoard>(), sp.GetRequiredService<PolicyRegistry>(), sp.GetRequiredService<IClientLocator>()));
        services.AddSingleton(sp => new TrafficVocabulary(sp.GetRequiredService<PolicyRegistry>(), sp.GetRequiredService<CheckerRegistry>().CheckKinds));
        services.AddSingleton(sp => new ZonePipeline(sp.GetRequiredService<TrafficVocabulary>(), sp.GetRequiredService<TrafficCompiler>()));
        return services;
    }
}
