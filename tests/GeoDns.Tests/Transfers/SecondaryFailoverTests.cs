using System.Diagnostics;
using System.Globalization;
using System.Net;
using GeoDns.Tests.EndToEnd;
using GeoDns.Tests.Health;

namespace GeoDns.Tests.Transfers;

/// <summary>
/// Knot and NSD as real secondaries of a real <c>geodns serve</c>, with TSIG: they transfer the
/// zone (same serial, plain records), and when the pool's primary HTTP backend dies, GeoDns moves
/// the serial on and NOTIFYs them, so the secondary — which knows nothing of health — serves
/// the standby within seconds. Each trial kills the backend and measures until the secondary
/// answers the standby; the median is printed.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(240_000)]
public sealed class SecondaryFailoverTests
{
    private const string Name = "www.gtm.example.test.";
    private const int Trials = 10;

    [TestCase("knot")]
    [TestCase("nsd")]
    public async Task TheSecondaryFollowsAFailoverThroughNotify(string kind)
    {
        TestHttpServer? primary = new(IPAddress.Parse("127.0.0.2"));
        int port = primary.Port;
        await using var standby = new TestHttpServer(IPAddress.Parse("127.0.0.3"), port);
        int secondaryPort = Secondary.FreePort();
        using var fixture = new TransferFixture(string.Create(CultureInfo.InvariantCulture, $"""
            $ORIGIN example.test.
            $TTL 300
            @    SOA ns1 hostmaster 1 7200 900 1209600 60
            @    NS  ns1
            ns1  A   192.0.2.53
            info TXT "static"
            $REGION primary continents=EU
            $REGION standby continents=NA
            $CHECK web http port={port} path=/ expect=200 interval=200ms timeout=150ms rise=2 fall=2
            www.gtm  30 POOL   A policy=failover check=web
            www.gtm  30 MEMBER primary 127.0.0.2
            www.gtm  30 MEMBER standby 127.0.0.3
            """), notify: $"\"{Secondary.Address}:{secondaryPort}\"");
        using var server = fixture.Serve("primary-" + kind);
        Secondary? secondary = null;
        try
        {
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await server.WaitReadyAsync(Name, "127.0.0.2", TimeSpan.FromSeconds(60), ready.Token);
            secondary = kind == "knot"
                ? Secondary.Knot(secondaryPort, "example.test", server.Dns, fixture.Secret)
                : Secondary.Nsd(secondaryPort, "example.test", server.Dns, fixture.Secret);
            var loaded = await secondary.TimeUntilAnswerAsync(Name, "127.0.0.2", TimeSpan.FromSeconds(30), Stopwatch.StartNew());
            Assert.That(loaded, Is.Not.Null, $"{kind} never served the zone\n{secondary.Output}\n{server.Output}");

            string soaPrimary = await TransferFixture.Dig(server.Dns, "example.test SOA +short");
            string soaSecondary = await TransferFixture.Dig(secondary.EndPoint, "example.test SOA +short");
            Assert.That(soaSecondary, Is.EqualTo(soaPrimary), "the secondary holds the primary's serial");
            string info = await TransferFixture.Dig(secondary.EndPoint, "info.example.test TXT +short");
            Assert.That(info.Trim(), Is.EqualTo("\"static\""), "static records as in the file");

            var times = new List<double>();
            for (int trial = 0; trial < Trials; trial++)
            {
                if (trial > 0)
                {
                    primary = new TestHttpServer(IPAddress.Parse("127.0.0.2"), port);
                    var back = await secondary.TimeUntilAnswerAsync(Name, "127.0.0.2", TimeSpan.FromSeconds(30), Stopwatch.StartNew());
                    Assert.That(back, Is.Not.Null, $"{kind} did not fail back in trial {trial}\n{secondary.Output}\n{server.Output}");
                    await Task.Delay(500); // steady state before the next kill
                }

                var watch = Stopwatch.StartNew();
                await primary!.DisposeAsync();
                primary = null;
                var failover = await secondary.TimeUntilAnswerAsync(Name, "127.0.0.3", TimeSpan.FromSeconds(30), watch);
                Assert.That(failover, Is.Not.Null, $"{kind} did not serve the standby within 30 s in trial {trial}\n{secondary.Output}\n{server.Output}");
                times.Add(failover!.Value.TotalSeconds);
            }

            times.Sort();
            double median = times[times.Count / 2];
            TestContext.Out.WriteLine($"{kind}: backend killed -> secondary serves the standby: median {median:0.000} s over {Trials} trials ({string.Join(", ", times.Select(t => t.ToString("0.000", CultureInfo.InvariantCulture)))})");
            Assert.That(median, Is.LessThan(3), "within 3 s (health: interval 200 ms, fall 2; then 200 ms coalescing and NOTIFY)");
            Assert.That(server.Output, Does.Contain($"NOTIFY of example.test. serial").And.Contain($"acknowledged by {Secondary.Address}:{secondaryPort}"));
            Assert.That(server.Output, Does.Contain("IXFR (incremental, 1 steps) of example.test."), "each change went as an incremental transfer");
        }
        finally
        {
            secondary?.Dispose();
            if (primary is not null)
            {
                await primary.DisposeAsync();
            }
        }
    }
}
