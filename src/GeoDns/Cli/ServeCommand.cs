using GeoDns.Admin;
using GeoDns.Core;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Geo;
using GeoDns.Health;
using GeoDns.Hosting;
using GeoDns.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GeoDns.Cli;

/// <summary><c>geodns serve</c>: the long-running server.</summary>
public static class ServeCommand
{
    public static readonly (string Option, string Key, bool Repeatable)[] Options =
    [
        ("--zones", "Zones", false),
        ("--dns", "Dns", true),
        ("--udp-threads", "UdpThreads", false),
        ("--admin", "Admin", false),
        ("--admin-token-file", "AdminTokenFile", false),
        ("--redis", "Redis", false),
        ("--instance", "Instance", false),
        ("--geoip", "GeoIp", false),
        ("--geoip-asn", "GeoIpAsn", false),
        ("--log-format", "LogFormat", false),
        ("--config", "ConfigFile", false),
    ];

    public static int Run(string[] args)
    {
        var commandLine = new CommandLine(Options);
        if (commandLine.Parse(args) is { } error)
        {
            Console.Error.WriteLine($"geodns serve: {error}");
            return 2;
        }

        using var host = BuildHost(commandLine.Values);
        host.Run();
        return 0;
    }

    public static IHost BuildHost(IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
            DisableDefaults = false,
        });
        builder.Configuration.AddEnvironmentVariables("GEODNS_");
        if (settings.TryGetValue("ConfigFile", out var configFile) && configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        builder.Configuration.AddInMemoryCollection(settings);
        ConfigureLogging(builder);
        builder.Services.Configure<GeoDnsOptions>(builder.Configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(_ => new QueryProcessor(Snapshot.Empty));
        builder.Services.AddTraffic();
        builder.Services.AddSharedState(builder.Configuration);
        builder.Services.AddHealthMonitoring();
        builder.Services.AddSingleton(sp =>
        {
            var store = new ZoneStore(
                sp.GetRequiredService<IOptions<GeoDnsOptions>>().Value.Zones,
                sp.GetRequiredService<ZonePipeline>(),
                sp.GetRequiredService<QueryProcessor>(),
                sp.GetRequiredService<ILogger<ZoneStore>>());
            TrafficSetup.Attach(store, sp);
            var monitor = sp.GetRequiredService<HealthMonitor>();
            store.Loaded += builds => monitor.Apply([.. builds.Select(b => b.File)]);
            return store;
        });
        builder.Services.AddSingleton<DnsServerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DnsServerService>());
        builder.Services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<DnsServerService>());
        return builder.Build();
    }

    private static void ConfigureLogging(HostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["LogFormat"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "O");
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
            });
        }

        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
    }
}
