using System.Diagnostics;
using System.Globalization;

namespace GeoDns.Tests.Transfers;

/// <summary>
/// A region drained through GeoDns's admin API reaches a Knot secondary within 3 s: a new
/// serial, NOTIFY, and Knot's transfer of the new view.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class SecondaryDrainTests
{
    private const string Name = "www.gtm.example.test.";

    [Test]
    public async Task KnotServesTheNewAnswerWithin3SecondsOfARegionDrainAndTheSerialMovesOn()
    {
        int secondaryPort = Secondary.FreePort();
        using var fixture = new TransferFixture("""
            $ORIGIN example.test.
            $TTL 300
            @    SOA ns1 hostmaster 1 7200 900 1209600 60
            @    NS  ns1
            ns1  A   192.0.2.53
            $REGION primary continents=EU
            $REGION standby continents=NA
            www.gtm  30 POOL   A policy=failover
            www.gtm  30 MEMBER primary 192.0.2.10
            www.gtm  30 MEMBER standby 192.0.2.20
            """, notify: $"\"{Secondary.Address}:{secondaryPort}\"");
        using var server = fixture.Serve("drain", adminToken: "drain-token");
        using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await server.WaitReadyAsync(Name, "192.0.2.10", TimeSpan.FromSeconds(60), ready.Token);
        using var secondary = Secondary.Knot(secondaryPort, "example.test", server.Dns, fixture.Secret);
        Assert.That(await secondary.TimeUntilAnswerAsync(Name, "192.0.2.10", TimeSpan.FromSeconds(30), Stopwatch.StartNew()), Is.Not.Null,
            $"knot never served the zone\n{secondary.Output}\n{server.Output}");
        uint before = Serial(await TransferFixture.Dig(secondary.EndPoint, "example.test SOA +short"));

        var watch = Stopwatch.StartNew();
        using (var response = await server.PostAsync("/api/v1/regions/primary/drain", "drain-token", ready.Token))
        {
            Assert.That(response.IsSuccessStatusCode, Is.True, $"drain: {response.StatusCode}");
        }

        var moved = await secondary.TimeUntilAnswerAsync(Name, "192.0.2.20", TimeSpan.FromSeconds(10), watch);
        Assert.That(moved, Is.Not.Null, $"knot did not follow the drain within 10 s\n{secondary.Output}\n{server.Output}");
        TestContext.Out.WriteLine($"knot: region drained -> secondary serves the standby in {moved!.Value.TotalSeconds:0.000} s");
        Assert.That(moved.Value, Is.LessThan(TimeSpan.FromSeconds(3)));

        string primarySoa = await TransferFixture.Dig(server.Dns, "example.test SOA +short");
        Assert.That(Serial(primarySoa), Is.GreaterThan(before), "a new serial for the new view");
        Assert.That(await TransferFixture.Dig(secondary.EndPoint, "example.test SOA +short"), Is.EqualTo(primarySoa), "the secondary holds it");

        // The secondary took the change as an incremental transfer: the pool's record out, the new one in.
        Assert.That(server.Output, Does.Contain("IXFR (incremental, 1 steps) of example.test. serial " + Serial(primarySoa)));
        Assert.That(secondary.Output, Does.Contain("IXFR, incoming"));
        string ixfr = await TransferFixture.Dig(server.Dns, $"example.test IXFR={before} -y hmac-sha256:xfr:{fixture.Secret} +noall +answer");
        var lines = ixfr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("TSIG", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.That(lines, Has.Count.EqualTo(6), ixfr);
        Assert.That(lines[1], Does.Contain($" SOA ns1.example.test. hostmaster.example.test. {before} "), "the old SOA");
        Assert.That(lines[2], Is.EqualTo("www.gtm.example.test. 30 IN A 192.0.2.10"), "deleted");
        Assert.That(lines[4], Is.EqualTo("www.gtm.example.test. 30 IN A 192.0.2.20"), "added");
    }

    private static uint Serial(string soa) => uint.Parse(soa.Split(' ')[2], CultureInfo.InvariantCulture);
}
