using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using GeoDns.Admin;
using GeoDns.Tests.Health;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Metrics;

/// <summary>
/// docs/operations.md, the alert rules and the Grafana dashboard name only metrics a real host
/// exports, and every GeoDns metric the document lists is exported (a host with Redis, a pool
/// with a check, queries of every kind).
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed partial class OperationsDocsTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GeoDns.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (GeoDns.sln) not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\b(?:dns|geodns|process|dotnet)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    /// <summary>The metric a sample name belongs to (histogram series folded into their base).</summary>
    private static string Base(string name) => Regex.Replace(name, "_(bucket|count|sum)$", "");

    private static HashSet<string> Names(IEnumerable<string> texts) =>
        [.. texts.SelectMany(t => MetricName().Matches(t).Select(m => Base(m.Value)))];

    [Test]
    public async Task DocsAlertsAndDashboardMatchWhatIsExported()
    {
        using var redis = Redis.RedisServer.Start();
        await using var backend = new TestHttpServer(IPAddress.Parse("127.0.0.2"));
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["metrics.test.zone"] = MetricsEndpointTests.ZoneText(backend.Port) },
            new Dictionary<string, string?> { ["Admin"] = "127.0.0.1:0", ["Redis"] = redis.Configuration, ["Instance"] = "docs-a" });
        using var http = new HttpClient { BaseAddress = server.Services.GetRequiredService<AdminService>().Address, Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (name, type, edns) in new[] { ("www.metrics.test", (ushort)1, true), ("gtm.metrics.test", (ushort)1, true), ("huge.metrics.test", (ushort)16, false) })
        {
            for (int i = 0; i < 40; i++)
            {
                Assert.That(await DnsTestClient.UdpRawAsync(server.EndPoint, new QueryBuilder { Name = name, Type = type, Edns = edns }.Build()), Is.Not.Null);
            }
        }

        var watch = Stopwatch.StartNew();
        PrometheusText scrape;
        do
        {
            scrape = await PrometheusText.ScrapeAsync(http);
        }
        while (!scrape.Has("geodns_health_votes", ("geodns_instance", "docs-a")) && watch.Elapsed < TimeSpan.FromSeconds(10) && await Delay());

        // Label names (dns_zone, geodns_pool...) look like metric names: they count as known too.
        var exported = Names(scrape.Samples.Select(s => s.Name).Concat(scrape.Samples.SelectMany(s => s.Labels.Keys)));
        exported.Add("up");

        var documented = Names([await File.ReadAllTextAsync(Path.Combine(Root, "docs", "operations.md"))])
            .Where(n => n.StartsWith("dns_", StringComparison.Ordinal) || n.StartsWith("geodns_", StringComparison.Ordinal)).ToList();
        Assert.That(documented, Has.Count.GreaterThanOrEqualTo(18));
        Assert.That(documented.Where(n => !exported.Contains(n)), Is.Empty, "documented but not exported:\n" + scrape.Text);

        var alerts = await File.ReadAllTextAsync(Path.Combine(Root, "deploy", "prometheus", "geodns-alerts.yml"));
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Root, "deploy", "grafana", "geodns.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.TryGetProperty("targets", out var t) ? t.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Select(t => t.GetProperty("expr").GetString()!).ToList();
        Assert.That(expressions, Has.Count.GreaterThan(20));
        Assert.Multiple(() =>
        {
            Assert.That(Names([alerts]).Where(n => !exported.Contains(n)), Is.Empty, "alert rules name metrics that are not exported");
            Assert.That(Names(expressions).Where(n => !exported.Contains(n)), Is.Empty, "the dashboard names metrics that are not exported");
            foreach (var alert in new[] { "GeoDnsMemberDown", "GeoDnsRegionDrained", "GeoDnsPoolAllMembersDown", "GeoDnsRedisDisconnected", "GeoDnsZoneLoadFailed" })
            {
                Assert.That(alerts, Does.Contain("alert: " + alert));
            }
        });
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }
}
