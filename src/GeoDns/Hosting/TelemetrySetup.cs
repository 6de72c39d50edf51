using GeoDns.Admin;
using GeoDns.Health;
using GeoDns.Redis;
using GeoDns.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace GeoDns.Hosting;

/// <summary>
/// Metrics: the instruments of each area (<see cref="DnsMetrics"/>, <see cref="HealthMetrics"/>,
/// <see cref="RedisMetrics"/>, <see cref="ZoneMetrics"/>), the .NET runtime and process
/// instrumentation, and the OpenTelemetry SDK exporting them: Prometheus text on the admin
/// listener at <c>/metrics</c> when the admin API is on, OTLP when <c>--otlp URL</c> or
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. With neither (or <c>--metrics off</c>) nothing is
/// registered and the listeners count nothing.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>The scrape path on the admin listener.</summary>
    public const string ScrapePath = "/metrics";

    /// <summary>Series each of <see cref="WideMetrics"/> may have before the SDK folds the rest into one overflow series.</summary>
    public const int SeriesLimit = 10_000;

    /// <summary>The metrics whose series multiply with the configuration's size.</summary>
    private static readonly string[] WideMetrics =
        ["dns.server.queries", "geodns.traffic.decisions", "geodns.member.state", "geodns.member.forced"];

    /// <summary>Meters GeoDns's own instruments live in.</summary>
    public static readonly string[] Meters = [DnsMetrics.MeterName, HealthMetrics.MeterName, RedisMetrics.MeterName, ZoneMetrics.MeterName];

    /// <summary>
    /// Registers metrics for <paramref name="options"/>; returns whether they are on. The caller
    /// registers the <see cref="Core.QueryProcessor"/>, the <see cref="Core.Health.HealthBoard"/>
    /// and the <see cref="ISharedStateView"/> the observable instruments read.
    /// </summary>
    public static bool AddGeoDnsMetrics(this IServiceCollection services, GeoDnsOptions options)
    {
        if (options.Metrics is { } setting && setting.Trim().ToLowerInvariant() is not ("on" or "off" or ""))
        {
            throw new InvalidOperationException($"--metrics '{setting}' must be on or off");
        }

        bool prometheus = !string.IsNullOrWhiteSpace(options.Admin);
        var otlp = OtlpEndpoint(options.Otlp);
        bool otlpFromEnvironment = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
            || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"));
        if (!options.MetricsEnabled || !(prometheus || otlp is not null || otlpFromEnvironment))
        {
            return false;
        }

        services.AddMetrics();
        services.AddSingleton<DnsMetrics>();
        services.AddSingleton<HealthMetrics>();
        services.AddSingleton<ZoneMetrics>();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("geodns", serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString(),
                serviceInstanceId: options.InstanceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters);

                // The SDK keeps 2000 series per metric by default (and reserves room for them up front);
                // zones x types x codes x transports, and pools x members x states, can pass that on a
                // large configuration (bounded by it, never by clients).
                metrics.AddView(instrument => Meters.Contains(instrument.Meter.Name) && WideMetrics.Contains(instrument.Name)
                    ? new MetricStreamConfiguration { CardinalityLimit = SeriesLimit }
                    : null);
                metrics.AddRuntimeInstrumentation();
                metrics.AddProcessInstrumentation();
                if (prometheus)
                {
                    // Scrapes are rare and come from one Prometheus: always fresh numbers.
                    metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }

                if (otlp is not null || otlpFromEnvironment)
                {
                    metrics.AddOtlpExporter(o =>
                    {
                        if (otlp is not null)
                        {
                            o.Endpoint = otlp;
                            o.Protocol = otlp.AbsolutePath.EndsWith("/v1/metrics", StringComparison.Ordinal)
                                ? OtlpExportProtocol.HttpProtobuf
                                : o.Protocol;
                        }
                    });
                }
            });

        // Instruments that only observe are made at start, so their first collection finds them.
        services.AddHostedService<MetricsStarter>();
        if (prometheus)
        {
            services.AddSingleton<IAdminRoutes, PrometheusRoute>();
        }

        return true;
    }

    /// <summary><c>--otlp</c> as an absolute http(s) URL; null when not set. Throws when malformed.</summary>
    private static Uri? OtlpEndpoint(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"--otlp '{text}' is not an http(s) URL (for example http://collector:4317, or http://collector:4318/v1/metrics for HTTP/protobuf)");
        }

        return uri;
    }

    /// <summary>Makes the observe-only instruments (Redis, when shared state uses it) at start.</summary>
    private sealed class MetricsStarter(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetRequiredService<HealthMetrics>();
            _ = services.GetRequiredService<ZoneMetrics>();
            _ = services.GetService<RedisMetrics>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary><c>GET /metrics</c> on the admin listener, served from this host's meter provider.</summary>
    private sealed class PrometheusRoute(MeterProvider provider) : IAdminRoutes
    {
        public void Map(IEndpointRouteBuilder app) =>
            app.MapPrometheusScrapingEndpoint(ScrapePath, provider, configureBranchedPipeline: null, optionsName: null);
    }
}
