using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using GeoDns.Admin;
using GeoDns.Core;
using GeoDns.Core.Wire;
using GeoDns.Hosting;
using GeoDns.Server;
using GeoDns.Tests.Health;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Metrics;

/// <summary>
/// A real <c>geodns serve</c> host with the admin API on: real DNS queries over UDP and TCP, a
/// real HTTP backend probed by a real check, and <c>/metrics</c> scraped over HTTP.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class MetricsEndpointTests
{
    private const string Zone = "metrics.test.";
    private const string Pool = "gtm.metrics.test.";
    private const string Token = "metrics-s3cret";

    private TestHttpServer? _backend;
    private TestServer _server = null!;
    private HttpClient _http = null!;
    private string _tokenFile = null!;

    internal static string ZoneText(int port, uint serial = 41) => $"""
        $ORIGIN metrics.test.
        $TTL 60
        @    SOA ns1 hostmaster {serial} 7200 900 1209600 60
        @    NS  ns1
        ns1  A   192.0.2.53
        www  A   192.0.2.1
        huge TXT {string.Join(' ', Enumerable.Range(0, 3).Select(i => "\"" + new string((char)('k' + i), 250) + "\""))}
        $REGION one continents=EU
        $REGION two continents=NA
        $CHECK web http port={port} path=/ expect=200 interval=200ms timeout=150ms rise=1 fall=1
        gtm  30 POOL   A policy=failover check=web
        gtm  30 MEMBER one 127.0.0.2
        gtm  30 MEMBER two 127.0.0.3
        """;

    [OneTimeSetUp]
    public async Task Start()
    {
        _backend = new TestHttpServer(IPAddress.Parse("127.0.0.2"));
        _tokenFile = Path.Combine(Path.GetTempPath(), "geodns-metrics-" + Guid.NewGuid().ToString("N") + ".token");
        await File.WriteAllTextAsync(_tokenFile, Token + "\n");
        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["metrics.test.zone"] = ZoneText(_backend.Port) },
            new Dictionary<string, string?>
            {
                ["Admin"] = "127.0.0.1:0",
                ["AdminTokenFile"] = _tokenFile,
                ["Instance"] = "metrics-a",
            });
        _http = new HttpClient { BaseAddress = _server.Services.GetRequiredService<AdminService>().Address, Timeout = TimeSpan.FromSeconds(10) };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        File.Delete(_tokenFile);
    }

    private Task<PrometheusText> ScrapeAsync() => PrometheusText.ScrapeAsync(_http);

    private async Task UdpAsync(string name, ushort type, int times, bool edns = true)
    {
        for (int i = 0; i < times; i++)
        {
            var reply = await DnsTestClient.UdpRawAsync(_server.EndPoint, new QueryBuilder { Name = name, Type = type, Edns = edns, Id = (ushort)i }.Build());
            Assert.That(reply, Is.Not.Null, $"no reply to {name} type {type}");
        }
    }

    private static double Queries(PrometheusText scrape, string zone, string type, string rcode, string transport) =>
        scrape.Sum("dns_server_queries_total", ("dns_zone", zone), ("dns_question_type", type), ("dns_response_code", rcode), ("network_transport", transport));

    [Test]
    public async Task TheQueryCounterGrowsByExactlyWhatWasSent()
    {
        var before = await ScrapeAsync();

        await UdpAsync("www.metrics.test", 1, 7);
        await UdpAsync("gtm.metrics.test", 1, 6);
        await UdpAsync("nothing.metrics.test", 28, 5);
        await UdpAsync("www.metrics.test", 15, 3);
        await UdpAsync("www.example.org", 1, 2);
        await UdpAsync("huge.metrics.test", 16, 1, edns: false);
        for (int i = 0; i < 4; i++)
        {
            var reply = await DnsTestClient.TcpAsync(_server.EndPoint, new QueryBuilder { Name = "www.metrics.test", Type = 1 });
            Assert.That(reply.AnswerRecords, Has.Count.EqualTo(1));
        }

        var after = await ScrapeAsync();
        double Delta(string zone, string type, string rcode, string transport) =>
            Queries(after, zone, type, rcode, transport) - Queries(before, zone, type, rcode, transport);

        Assert.Multiple(() =>
        {
            Assert.That(Delta(Zone, "A", "NOERROR", "udp"), Is.EqualTo(13), "7 www + 6 gtm");
            Assert.That(Delta(Zone, "AAAA", "NXDOMAIN", "udp"), Is.EqualTo(5));
            Assert.That(Delta(Zone, "MX", "NOERROR", "udp"), Is.EqualTo(3), "NODATA is NOERROR");
            Assert.That(Delta("none", "A", "REFUSED", "udp"), Is.EqualTo(2), "outside every zone");
            Assert.That(Delta(Zone, "TXT", "NOERROR", "udp"), Is.EqualTo(1));
            Assert.That(Delta(Zone, "A", "NOERROR", "tcp"), Is.EqualTo(4));
            Assert.That(after.Sum("dns_server_queries_total") - before.Sum("dns_server_queries_total"), Is.EqualTo(7 + 6 + 5 + 3 + 2 + 1 + 4), "nothing else counted");

            double truncated = after.Sum("dns_server_responses_truncated_total", ("dns_zone", Zone), ("network_transport", "udp"))
                - before.Sum("dns_server_responses_truncated_total", ("dns_zone", Zone), ("network_transport", "udp"));
            Assert.That(truncated, Is.EqualTo(1), "the TXT over 512 octets without EDNS");

            (string, string)[] decision = [("geodns_pool", Pool), ("geodns_region", "one"), ("geodns_decision_reason", "policy")];
            Assert.That(after.Sum("geodns_traffic_decisions_total", decision) - before.Sum("geodns_traffic_decisions_total", decision), Is.EqualTo(6));
        });
    }

    [Test]
    public async Task ProbesAreCountedByCheckAndResult()
    {
        var scrape = await ScrapeAsync();
        Assert.Multiple(() =>
        {
            Assert.That(scrape.Sum("geodns_health_probe_duration_seconds_count", ("geodns_check", "web"), ("geodns_check_kind", "http"), ("geodns_probe_result", "ok")),
                Is.GreaterThan(0), "127.0.0.2 answers");
            Assert.That(scrape.Sum("geodns_health_probe_duration_seconds_count", ("geodns_check", "web"), ("geodns_probe_result", "failed")),
                Is.GreaterThan(0), "nothing listens on 127.0.0.3");
            Assert.That(scrape.Sum("geodns_health_votes", ("geodns_instance", "metrics-a")), Is.GreaterThanOrEqualTo(2), "this instance votes on both members");
            Assert.That(scrape.Has("process_cpu_time_seconds_total"), Is.True, "process instrumentation");
            Assert.That(scrape.Has("dotnet_gc_collections_total"), Is.True, "runtime instrumentation");
        });
    }

    [Test]
    public async Task ZoneLoadsAreCountedWithTheSerial()
    {
        var store = _server.Services.GetRequiredService<ZoneStore>();
        var path = Path.Combine(_server.Directory, "metrics.test.zone");
        (string, string) zone = ("dns_zone", Zone);
        var before = await ScrapeAsync();
        Assert.That(before.Sum("geodns_zone_serial", zone), Is.EqualTo(41));
        Assert.That(before.Sum("geodns_zone_loads_total", zone, ("geodns_zone_load_result", "ok")), Is.GreaterThanOrEqualTo(1));
        Assert.That(before.Sum("geodns_zone_load_failing", zone), Is.Zero);

        string good = await File.ReadAllTextAsync(path);
        try
        {
            await File.WriteAllTextAsync(path, good + "\nbroken A not-an-address\n");
            Assert.That(store.Reload(), Is.EqualTo(1), "one zone with errors");
            var failed = await ScrapeAsync();
            Assert.Multiple(() =>
            {
                Assert.That(failed.Sum("geodns_zone_loads_total", zone, ("geodns_zone_load_result", "failed"))
                    - before.Sum("geodns_zone_loads_total", zone, ("geodns_zone_load_result", "failed")), Is.EqualTo(1));
                Assert.That(failed.Sum("geodns_zone_load_failing", zone), Is.EqualTo(1));
                Assert.That(failed.Sum("geodns_zone_serial", zone), Is.EqualTo(41), "the previous version still serves");
            });
        }
        finally
        {
            await File.WriteAllTextAsync(path, ZoneText(_backend!.Port, serial: 42));
            Assert.That(store.Reload(), Is.Zero);
        }

        var fixedScrape = await ScrapeAsync();
        Assert.Multiple(() =>
        {
            Assert.That(fixedScrape.Sum("geodns_zone_loads_total", zone, ("geodns_zone_load_result", "ok"))
                - before.Sum("geodns_zone_loads_total", zone, ("geodns_zone_load_result", "ok")), Is.EqualTo(1));
            Assert.That(fixedScrape.Sum("geodns_zone_load_failing", zone), Is.Zero);
            Assert.That(fixedScrape.Sum("geodns_zone_serial", zone), Is.EqualTo(42));
        });
    }

    [Test]
    public async Task AFailingZoneWhoseFileIsDeletedStopsFailing()
    {
        var store = _server.Services.GetRequiredService<ZoneStore>();
        var path = Path.Combine(_server.Directory, "gone.test.zone");
        await File.WriteAllTextAsync(path, "$ORIGIN gone.test.\n@ 60 SOA ns1 hostmaster 1 7200 900 1209600 60\nwww A 192.0.2.999\n");
        try
        {
            store.Reload();
            Assert.That((await ScrapeAsync()).Sum("geodns_zone_load_failing", ("dns_zone", "gone.test.")), Is.EqualTo(1));
        }
        finally
        {
            File.Delete(path);
        }

        store.Reload();
        Assert.That((await ScrapeAsync()).Has("geodns_zone_load_failing", ("dns_zone", "gone.test.")), Is.False, "no file, no zone to alert on");
    }

    [Test]
    public async Task MetricsNeedNoTokenButChangesDo()
    {
        using var scrape = await _http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.That(scrape.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(scrape.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        using var refused = await _http.PostAsync(new Uri("/api/v1/regions/one/drain", UriKind.Relative), null);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task DrainsShowInTheGaugesAndDecisions()
    {
        using (var drain = new HttpRequestMessage(HttpMethod.Post, "/api/v1/regions/two/drain"))
        {
            drain.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await _http.SendAsync(drain);
            Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        }

        try
        {
            var before = await ScrapeAsync();
            await UdpAsync("gtm.metrics.test", 1, 3);
            var after = await ScrapeAsync();
            (string, string)[] decision = [("geodns_pool", Pool), ("geodns_region", "one"), ("geodns_decision_reason", "override")];
            Assert.Multiple(() =>
            {
                Assert.That(after.Sum("geodns_region_drained", ("geodns_region", "two")), Is.EqualTo(1));
                Assert.That(after.Sum("geodns_region_drained", ("geodns_region", "one")), Is.Zero);
                Assert.That(after.Sum("geodns_member_drained", ("geodns_member", "127.0.0.3")), Is.EqualTo(1));
                Assert.That(after.Sum("geodns_traffic_decisions_total", decision) - before.Sum("geodns_traffic_decisions_total", decision), Is.EqualTo(3));
            });
        }
        finally
        {
            using var undrain = new HttpRequestMessage(HttpMethod.Post, "/api/v1/regions/two/undrain");
            undrain.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await _http.SendAsync(undrain);
        }
    }

    /// <summary>
    /// The listeners' counting, sampled timing included, with the real meter provider listening:
    /// nothing allocated per query; every 16th query's build time reaches the histogram.
    /// </summary>
    [Test]
    public async Task CountingAQueryAllocatesNothing()
    {
        (string, string) udp = ("network_transport", "udp");
        var before = await ScrapeAsync();
        var metrics = _server.Services.GetRequiredService<DnsMetrics>();
        var processor = _server.Services.GetRequiredService<QueryProcessor>();
        byte[][] queries =
        [
            new QueryBuilder { Name = "www.metrics.test", Type = 1, Edns = true }.Build(),
            new QueryBuilder { Name = "gtm.metrics.test", Type = 1 }.Build(),
            new QueryBuilder { Name = "nothing.metrics.test", Type = 28, Edns = true, Options = [(3, Array.Empty<byte>())] }.Build(),
            new QueryBuilder { Name = "www.example.org", Type = 1 }.Build(),
            new QueryBuilder { Name = "huge.metrics.test", Type = 16 }.Build(),
            new QueryBuilder { Name = "www.metrics.test", Type = 4242 }.Build(),
            new QueryBuilder { Name = "www.metrics.test", Type = 1, Edns = true, Options = [(10, [1, 2, 3, 4, 5, 6, 7, 8])] }.Build(),
        ];
        var response = new byte[DnsWire.MaxMessageLength];
        var client = ClientAddress.FromIPv4(0x7F000001);
        var tally = metrics.NewUdpTally();
        void Run(int count)
        {
            for (int i = 0; i < count; i++)
            {
                long started = tally.Start();
                processor.Process(queries[i % queries.Length], response, client, overTcp: false, out var outcome);
                tally.Record(outcome, started);
            }
        }

        Run(2000);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        Run(10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.That(allocated, Is.EqualTo(0), "bytes allocated by 10,000 counted queries");

        var after = await ScrapeAsync();
        Assert.That(after.Sum("dns_server_answer_duration_seconds_count", udp) - before.Sum("dns_server_answer_duration_seconds_count", udp),
            Is.EqualTo(12_000 / DnsMetrics.SampleEvery), "one query in 16 timed, all of them in the histogram by the next scrape");
        Assert.That(after.Sum("dns_server_answer_duration_seconds_bucket", udp, ("le", "+Inf")), Is.EqualTo(after.Sum("dns_server_answer_duration_seconds_count", udp)));
    }
}

/// <summary>The member state gauge follows a real backend that stops (its own host: the backend does not come back).</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class MemberStateMetricsTests
{
    private const string Pool = "gtm.metrics.test.";

    private TestHttpServer? _backend;
    private TestServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _backend = new TestHttpServer(IPAddress.Parse("127.0.0.2"));
        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["metrics.test.zone"] = MetricsEndpointTests.ZoneText(_backend.Port) },
            new Dictionary<string, string?> { ["Admin"] = "127.0.0.1:0" });
        _http = new HttpClient { BaseAddress = _server.Services.GetRequiredService<AdminService>().Address, Timeout = TimeSpan.FromSeconds(10) };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }

    private Task<PrometheusText> ScrapeAsync() => PrometheusText.ScrapeAsync(_http);

    private async Task UdpAsync(string name, ushort type, int times)
    {
        for (int i = 0; i < times; i++)
        {
            var reply = await DnsTestClient.UdpRawAsync(_server.EndPoint, new QueryBuilder { Name = name, Type = type, Id = (ushort)i }.Build());
            Assert.That(reply, Is.Not.Null, $"no reply to {name} type {type}");
        }
    }

    [Test]
    public async Task MemberStateShowsDownOnceItsBackendIsStopped()
    {
        (string, string) member = ("geodns_member", "127.0.0.2");
        var up = await ScrapeAsync();
        Assert.Multiple(() =>
        {
            Assert.That(up.Sum("geodns_member_state", member, ("geodns_member_state", "up")), Is.EqualTo(1), up.Text);
            Assert.That(up.Sum("geodns_member_state", member, ("geodns_member_state", "down")), Is.Zero);
            Assert.That(up.Sum("geodns_member_state", ("geodns_member", "127.0.0.3"), ("geodns_member_state", "down")), Is.EqualTo(1), "nothing listens there");
            Assert.That(up.Sum("geodns_member_usable", member), Is.EqualTo(1));
        });

        await _backend!.DisposeAsync();
        _backend = null;
        var watch = Stopwatch.StartNew();
        PrometheusText down;
        do
        {
            await Task.Delay(100);
            down = await ScrapeAsync();
        }
        while (down.Sum("geodns_member_state", member, ("geodns_member_state", "down")) != 1 && watch.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(down.Sum("geodns_member_state", member, ("geodns_member_state", "down")), Is.EqualTo(1), down.Text);
            Assert.That(down.Sum("geodns_member_state", member, ("geodns_member_state", "up")), Is.Zero);
            Assert.That(down.Sum("geodns_member_usable", ("geodns_pool", Pool)), Is.Zero, "every member of the pool is down");
        });

        var before = down;
        await UdpAsync("gtm.metrics.test", 1, 2);
        var after = await ScrapeAsync();
        Assert.That(after.Sum("geodns_traffic_decisions_total", ("geodns_pool", Pool), ("geodns_decision_reason", "all_down"))
            - before.Sum("geodns_traffic_decisions_total", ("geodns_pool", Pool), ("geodns_decision_reason", "all_down")), Is.EqualTo(2));
    }
}

/// <summary><c>geodns.redis.connected</c> follows a real redis-server that stops and comes back.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class RedisMetricsTests
{
    [Test]
    public async Task RedisConnectedFollowsTheServer()
    {
        using var redis = Redis.RedisServer.Start();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["example.test.zone"] = TestZones.Conformance() },
            new Dictionary<string, string?> { ["Admin"] = "127.0.0.1:0", ["Redis"] = redis.Configuration, ["Instance"] = "redis-metrics" });
        using var http = new HttpClient { BaseAddress = server.Services.GetRequiredService<AdminService>().Address, Timeout = TimeSpan.FromSeconds(10) };

        async Task<PrometheusText> WaitFor(Func<PrometheusText, bool> condition)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                var scrape = await PrometheusText.ScrapeAsync(http);
                if (condition(scrape) || watch.Elapsed > TimeSpan.FromSeconds(15))
                {
                    return scrape;
                }

                await Task.Delay(100);
            }
        }

        var up = await WaitFor(s => s.Sum("geodns_redis_connected") == 1);
        Assert.That(up.Sum("geodns_redis_connected"), Is.EqualTo(1), up.Text);
        Assert.That(up.Sum("geodns_redis_degraded"), Is.Zero);

        redis.Kill();
        var down = await WaitFor(s => s.Sum("geodns_redis_connected") == 0 && s.Sum("geodns_redis_degraded") == 1);
        Assert.Multiple(() =>
        {
            Assert.That(down.Sum("geodns_redis_connected"), Is.Zero, down.Text);
            Assert.That(down.Sum("geodns_redis_degraded"), Is.EqualTo(1));
            Assert.That(down.Sum("geodns_redis_degraded_episodes_total"), Is.EqualTo(1));
        });

        redis.Restart();
        var back = await WaitFor(s => s.Sum("geodns_redis_connected") == 1 && s.Sum("geodns_redis_degraded") == 0);
        Assert.That((back.Sum("geodns_redis_connected"), back.Sum("geodns_redis_degraded")), Is.EqualTo((1.0, 0.0)), back.Text);
    }
}
