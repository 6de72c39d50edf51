using System.Diagnostics;
using System.Net;
using GeoDns.Tests.Redis;

namespace GeoDns.Tests.EndToEnd;

/// <summary>
/// Two real <c>geodns serve</c> processes sharing one real redis-server, with quorum=majority
/// (the default) and real TCP backends. Redis goes away (killed, or one instance cut off by a
/// proxy), then a backend dies: each instance's fresh Down must not be outvoted for ever by the
/// other instance's last Up read from Redis. Both instances stop answering the dead member once
/// the other's vote is stale (1 s here), and neither stops answering.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class RedisOutageBackendDeathEndToEndTests : ProcessFixture
{
    protected override string FolderPrefix => "geodns-e2e-outage-";

    private const string Name = "www.gtm.e2e.test.";
    private const string Pool = "www.gtm.e2e.test.";
    private const string Eu = "198.51.100.10";
    private const string Us = "192.0.2.10";
    private const string Token = "e2e-token-91c4";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    /// <summary>interval=250ms: a vote is fresh for 3 intervals with a floor of 1 s.</summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    /// <summary>Generous: freshness + 10 s (detection takes ~0.5 s, a sync round at most 2 s more).</summary>
    private static readonly TimeSpan Bound = Freshness + TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);


    [Test]
    public Task RedisKilledThenThePrimaryBackendDiesBothInstancesStopAnsweringIt(CancellationToken token) =>
        RunAsync(cutOneInstanceOnly: false, token);

    [Test]
    public Task OneInstanceCutOffFromRedisThenThePrimaryBackendDiesBothInstancesStopAnsweringIt(CancellationToken token) =>
        RunAsync(cutOneInstanceOnly: true, token);

    private async Task RunAsync(bool cutOneInstanceOnly, CancellationToken token)
    {
        var eu = Own(new TcpBackend());
        var us = Own(new TcpBackend());
        var zones = Path.Combine(Folder.FullName, "zones");
        Directory.CreateDirectory(zones);
        var tokenFile = Path.Combine(Folder.FullName, "token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n", token);
        // A failover pool, eu-west first; each member probed on its own backend.
        await File.WriteAllTextAsync(Path.Combine(zones, "e2e.test.zone"), $"""
            $ORIGIN e2e.test.
            $TTL 60
            @        SOA    ns1 hostmaster 1 7200 900 1209600 60
            @        NS     ns1
            ns1      A      192.0.2.53
            $REGION  us-east  continents=NA countries=US
            $REGION  eu-west  continents=EU countries=IE
            $CHECK   alive tcp port={us.Port} target=127.0.0.1 interval=250ms timeout=200ms rise=2 fall=2
            www.gtm  5  POOL    A  policy=failover max-answers=1 check=alive
            www.gtm  5  MEMBER  eu-west  {Eu} port={eu.Port}
            www.gtm  5  MEMBER  us-east  {Us}
            """, token);

        var redis = Own(RedisServer.Start());
        var proxy = Own(new TcpProxy(redis.Port));
        var a = Own(ServeInstance.Start("a", zones, cutOneInstanceOnly ? proxy.Configuration : redis.Configuration, tokenFile));
        var b = Own(ServeInstance.Start("b", zones, redis.Configuration, tokenFile));
        await a.WaitReadyAsync(Name, Eu, StartLimit, token);
        await b.WaitReadyAsync(Name, Eu, StartLimit, token);
        await WaitUpVotesAsync(a, "b", token);
        await WaitUpVotesAsync(b, "a", token);

        // Redis goes away first (for a), so the backend's death cannot reach the other instance.
        if (cutOneInstanceOnly)
        {
            proxy.Blocked = true;
        }
        else
        {
            redis.Kill();
        }

        await WaitDegradedAsync(a, token);
        if (!cutOneInstanceOnly)
        {
            await WaitDegradedAsync(b, token);
        }

        // Then the primary's backend dies: both instances' own checkers see it down.
        var watch = Stopwatch.StartNew();
        eu.Dispose();
        var moved = new Dictionary<string, TimeSpan>();
        while (moved.Count < 2 && watch.Elapsed < Bound)
        {
            foreach (var instance in new[] { a, b })
            {
                var answer = await instance.AskAsync(Name, token);
                Assert.That(answer, Is.EqualTo(Eu).Or.EqualTo(Us), $"{instance.Name} stopped answering at {watch.Elapsed.TotalSeconds:0.0} s\n{instance.Output}");
                if (answer == Us)
                {
                    moved.TryAdd(instance.Name, watch.Elapsed);
                }
            }

            await Task.Delay(Poll, token);
        }

        foreach (var instance in new[] { a, b })
        {
            Assert.That(moved.ContainsKey(instance.Name), Is.True,
                $"{instance.Name} still answered the dead member {Eu} {Bound.TotalSeconds} s after its backend died "
                + $"(Redis {(cutOneInstanceOnly ? "cut off from a" : "killed")})\n{await DescribeAsync(instance, token)}\n{instance.Output}");
        }

        TestContext.Out.WriteLine($"dead member withdrawn on a after {moved["a"].TotalSeconds:0.00} s, on b after {moved["b"].TotalSeconds:0.00} s");

        // And it stays withdrawn (no verdict frozen or flapping back) while Redis is still away.
        for (int i = 0; i < 10; i++)
        {
            foreach (var instance in new[] { a, b })
            {
                Assert.That(await instance.AskAsync(Name, token), Is.EqualTo(Us), $"{instance.Name} answered the dead member again");
            }

            await Task.Delay(Poll, token);
        }
    }

    private static async Task WaitUpVotesAsync(ServeInstance instance, string voter, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            var members = await instance.MembersAsync(Pool, token);
            if (members.Count == 2 && members.All(m => m.GetProperty("votes").EnumerateArray()
                .Any(v => v.GetProperty("instance").GetString() == voter && v.GetProperty("status").GetString() == "up")))
            {
                return;
            }

            await Task.Delay(Poll, token);
        }

        Assert.Fail($"{instance.Name} did not see {voter}'s up votes within 10 s\n{await DescribeAsync(instance, token)}\n{instance.Output}");
    }

    private static async Task WaitDegradedAsync(ServeInstance instance, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            var pools = await instance.GetJsonAsync("/api/v1/pools", token);
            if (pools.GetProperty("sharedState").GetProperty("degraded").GetBoolean())
            {
                return;
            }

            await Task.Delay(Poll, token);
        }

        Assert.Fail($"{instance.Name} did not notice the Redis outage within 10 s\n{instance.Output}");
    }

    private static async Task<string> DescribeAsync(ServeInstance instance, CancellationToken token) =>
        string.Join("\n", (await instance.MembersAsync(Pool, token)).Select(m => m.ToString()));
}
