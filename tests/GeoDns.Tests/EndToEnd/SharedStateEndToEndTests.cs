using System.Diagnostics;
using System.Net;
using GeoDns.Tests.Redis;

namespace GeoDns.Tests.EndToEnd;

/// <summary>
/// Two real <c>geodns serve</c> processes sharing one real redis-server: operator changes made
/// through one instance's admin API show in the other's DNS answers; during a Redis outage the
/// shared view last read keeps deciding until it is stale, then each instance's own verdicts do;
/// a Redis restarted empty is re-seeded and both instances converge.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class SharedStateEndToEndTests : ProcessFixture
{
    protected override string FolderPrefix => "geodns-e2e-";

    private const string Name = "www.gtm.e2e.test.";
    private const string Pool = "www.gtm.e2e.test.";
    private const string Eu = "198.51.100.10";
    private const string Us = "192.0.2.10";
    private const string Token = "e2e-token-7d1f";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private string _tokenFile = null!;

    [SetUp]
    public void SetUp()
    {
        _tokenFile = Path.Combine(Folder.FullName, "token");
        File.WriteAllText(_tokenFile, Token + "\n");
        Directory.CreateDirectory(Path.Combine(Folder.FullName, "zones"));
    }

    /// <summary>A failover pool: eu-west first, so draining eu-west (or pinning us-east) changes the answer.</summary>
    private void WriteZone()
    {
        File.WriteAllText(Path.Combine(Folder.FullName, "zones", "e2e.test.zone"), $"""
            $ORIGIN e2e.test.
            $TTL 60
            @        SOA    ns1 hostmaster 1 7200 900 1209600 60
            @        NS     ns1
            ns1      A      192.0.2.53
            $REGION  us-east  continents=NA countries=US
            $REGION  eu-west  continents=EU countries=IE
            www.gtm  5  POOL    A  policy=failover max-answers=1
            www.gtm  5  MEMBER  eu-west  {Eu}
            www.gtm  5  MEMBER  us-east  {Us}
            """);
    }

    private async Task<(ServeInstance A, ServeInstance B)> StartPairAsync(RedisServer redis, CancellationToken token)
    {
        var zones = Path.Combine(Folder.FullName, "zones");
        var a = Own(ServeInstance.Start("a", zones, redis.Configuration, _tokenFile));
        var b = Own(ServeInstance.Start("b", zones, redis.Configuration, _tokenFile));
        await a.WaitReadyAsync(Name, Eu, StartLimit, token);
        await b.WaitReadyAsync(Name, Eu, StartLimit, token);
        return (a, b);
    }

    [Test]
    public async Task DrainThroughOneInstanceShowsInTheOthersAnswersAndUndrainReturnsIt(CancellationToken token)
    {
        WriteZone();
        var redis = Own(RedisServer.Start());
        var (a, b) = await StartPairAsync(redis, token);

        using (var refused = await a.PostAsync("/api/v1/regions/eu-west/drain", null, token))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using (var wrong = await b.PostAsync("/api/v1/regions/eu-west/drain", "not-the-token", token))
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        Assert.That(await b.AskAsync(Name, token), Is.EqualTo(Eu), "a refused drain changed nothing");

        var watch = Stopwatch.StartNew();
        using (var drained = await a.PostAsync("/api/v1/regions/eu-west/drain", Token, token))
        {
            Assert.That(drained.StatusCode, Is.EqualTo(HttpStatusCode.OK), await drained.Content.ReadAsStringAsync(token));
        }

        var drainSeen = await b.TimeUntilAnswerAsync(Name, Us, TimeSpan.FromSeconds(10), token, watch);
        Assert.That(drainSeen, Is.Not.Null, "B did not answer the us-east member within 10 s of the drain on A\n" + b.Output);
        Assert.That(await a.AskAsync(Name, token), Is.EqualTo(Us));

        watch.Restart();
        using (var undrained = await a.PostAsync("/api/v1/regions/eu-west/undrain", Token, token))
        {
            Assert.That(undrained.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var undrainSeen = await b.TimeUntilAnswerAsync(Name, Eu, TimeSpan.FromSeconds(10), token, watch);
        Assert.That(undrainSeen, Is.Not.Null, "B did not answer the eu-west member again within 10 s of the undrain on A");
        TestContext.Out.WriteLine($"drain on A seen on B after {drainSeen!.Value.TotalMilliseconds:0.0} ms, undrain after {undrainSeen!.Value.TotalMilliseconds:0.0} ms");
    }

    /// <summary>
    /// An <c>all</c> pool (every usable member answers) checked by TCP, each instance with its own
    /// copy of the zone that differs in one port: X is up for both instances, Y down for both,
    /// and Z down for A but up for B. Under majority a tie stays up, so Z is answered by A only
    /// because of B's vote: the shared view is in A's answer.
    /// </summary>
    private string WriteDisagreeingZones(int live, int dead)
    {
        string Zone(int zPort) => $"""
            $ORIGIN e2e.test.
            $TTL 60
            @        SOA    ns1 hostmaster 1 7200 900 1209600 60
            @        NS     ns1
            ns1      A      192.0.2.53
            $REGION  us-east  continents=NA countries=US
            $REGION  eu-west  continents=EU countries=IE
            $CHECK   alive tcp port={live} target=127.0.0.1 interval=3s timeout=1s rise=2 fall=2
            www.gtm  5  POOL    A  policy=all check=alive
            www.gtm  5  MEMBER  us-east  {X}
            www.gtm  5  MEMBER  us-east  {Y} port={dead}
            www.gtm  5  MEMBER  eu-west  {Z} port={zPort}
            """;
        var root = Folder.FullName;
        foreach (var (instance, zPort) in new[] { ("a", dead), ("b", live) })
        {
            Directory.CreateDirectory(Path.Combine(root, "zones-" + instance));
            File.WriteAllText(Path.Combine(root, "zones-" + instance, "e2e.test.zone"), Zone(zPort));
        }

        return root;
    }

    private const string X = "192.0.2.10";
    private const string Y = "192.0.2.11";
    private const string Z = "198.51.100.10";

    /// <summary>
    /// interval=3s: a vote is fresh for 9 s after it was last seen refreshed; the sync tick is 2 s,
    /// so at the kill B's vote was seen refreshed at most two ticks before and counts on A for 5 s more at least.
    /// </summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(9);

    [Test]
    public async Task RedisOutageKeepsTheSharedViewUntilItIsStaleAndARedisBackEmptyIsReseededFromTheInstances(CancellationToken token)
    {
        using var live = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        live.Start();
        using var accepting = CancellationTokenSource.CreateLinkedTokenSource(token);
        var acceptLoop = LoopbackAccept.EachAsync(live, socket =>
        {
            socket.Dispose();
            return Task.CompletedTask;
        }, accepting.Token);
        var root = WriteDisagreeingZones(((IPEndPoint)live.LocalEndpoint).Port, LoopbackPorts.FreeTcpPort());
        var redis = Own(RedisServer.Start());
        var a = Own(ServeInstance.Start("a", Path.Combine(root, "zones-a"), redis.Configuration, _tokenFile));
        var b = Own(ServeInstance.Start("b", Path.Combine(root, "zones-b"), redis.Configuration, _tokenFile));
        string both = $"{X} {Z}";

        // Before the outage: each sees the other's votes; A answers Z on B's vote alone.
        await a.WaitReadyWithAllAsync(Name, both, StartLimit, token);
        await b.WaitReadyWithAllAsync(Name, both, StartLimit, token);
        await WaitVotesAsync(a, "b", $"{X}=up {Y}=down {Z}=up", token);
        await WaitVotesAsync(b, "a", $"{X}=up {Y}=down {Z}=down", token);
        var zOnA = (await a.MembersAsync(Pool, token)).Single(m => m.GetProperty("member").GetString() == Z);
        Assert.That(zOnA.GetProperty("local").GetString(), Is.EqualTo("down"), zOnA.ToString());
        Assert.That(zOnA.GetProperty("usable").GetBoolean(), Is.True, "a tie under majority stays up: " + zOnA);
        Assert.That(await a.AskAllAsync(Name, token), Is.EqualTo(both));

        // Fail static: with Redis gone, the votes last read keep counting until they are stale
        // (5 s after the kill at the earliest), so no answer changes in the first 3 s, while both
        // instances know they are cut off.
        redis.Kill();
        var outage = Stopwatch.StartNew();
        var degradedAt = new Dictionary<string, TimeSpan>();
        int samples = 0;
        while (outage.Elapsed < TimeSpan.FromSeconds(3) || (degradedAt.Count < 2 && outage.Elapsed < TimeSpan.FromSeconds(4)))
        {
            foreach (var instance in new[] { a, b })
            {
                var seen = outage.Elapsed;
                Assert.That(await instance.AskAllAsync(Name, token), Is.EqualTo(both),
                    $"{instance.Name} {seen.TotalSeconds:0.00} s into the outage, within the freshness window\n{await DescribeAsync(instance, token)}");
                if (!degradedAt.ContainsKey(instance.Name) && await DegradedAsync(instance, token))
                {
                    degradedAt[instance.Name] = outage.Elapsed;
                }
            }

            samples++;
            await Task.Delay(20, token);
        }

        Assert.That(degradedAt.Keys, Is.EquivalentTo(new[] { "a", "b" }), "both instances noticed the outage while their answers were checked");
        TestContext.Out.WriteLine($"{samples} rounds of queries unchanged over the first {outage.Elapsed.TotalSeconds:0.0} s of the outage "
            + $"(degraded: a {degradedAt["a"].TotalSeconds:0.00} s, b {degradedAt["b"].TotalSeconds:0.00} s)");

        // Once B's last vote is stale, A's own verdict decides: Z leaves A's answers (nothing is
        // frozen); B keeps it on its own Up. X stays, Y never comes back, nobody stops answering.
        var bound = Freshness + TimeSpan.FromSeconds(15);
        string? lastOnA = both;
        while (lastOnA != X && outage.Elapsed < bound)
        {
            lastOnA = await a.AskAllAsync(Name, token);
            Assert.That(lastOnA, Is.EqualTo(both).Or.EqualTo(X), $"a at {outage.Elapsed.TotalSeconds:0.0} s");
            Assert.That(await b.AskAllAsync(Name, token), Is.EqualTo(both), $"b at {outage.Elapsed.TotalSeconds:0.0} s");
            await Task.Delay(100, token);
        }

        Assert.That(lastOnA, Is.EqualTo(X), $"a still answered Z {bound.TotalSeconds} s into the outage\n{await DescribeAsync(a, token)}");
        TestContext.Out.WriteLine($"a fell back to its own verdict on Z {outage.Elapsed.TotalSeconds:0.0} s into the outage");
        foreach (var instance in new[] { a, b })
        {
            var y = (await instance.MembersAsync(Pool, token)).Single(m => m.GetProperty("member").GetString() == Y);
            Assert.That(y.GetProperty("usable").GetBoolean(), Is.False, $"{instance.Name}: {y}");
        }

        // A change on A while Redis is down applies on A only (202) ...
        using (var forced = await a.PostAsync($"/api/v1/pools/{Pool}/members/{Y}/state?state=up", Token, token))
        {
            Assert.That(forced.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await forced.Content.ReadAsStringAsync(token));
        }

        Assert.That(await a.AskAllAsync(Name, token), Is.EqualTo($"{X} {Y}"));
        Assert.That(await b.AskAllAsync(Name, token), Is.EqualTo(both));
        string expected = await a.OverridesAsync(token);
        Assert.That(expected, Is.EqualTo($"member {Pool} {Y} up"));

        // ... and reaches B once Redis is back, empty; the votes are shared again (Z: a tie, up).
        redis.Restart();
        var converge = Stopwatch.StartNew();
        string all = $"{X} {Y} {Z}";
        while (converge.Elapsed < TimeSpan.FromSeconds(20)
            && (await b.OverridesAsync(token) != expected || await b.AskAllAsync(Name, token) != all || await a.AskAllAsync(Name, token) != all))
        {
            await Task.Delay(50, token);
        }

        Assert.That(await b.OverridesAsync(token), Is.EqualTo(expected), "B did not converge on A's overrides within 20 s\n" + b.Output);
        Assert.That(await b.AskAllAsync(Name, token), Is.EqualTo(all));
        Assert.That(await a.AskAllAsync(Name, token), Is.EqualTo(all), "B's vote on Z counts again on A");
        Assert.That(await a.OverridesAsync(token), Is.EqualTo(expected));
        TestContext.Out.WriteLine($"converged {converge.Elapsed.TotalMilliseconds:0} ms after Redis came back empty");
        await accepting.CancelAsync();
        await acceptLoop;
    }

    /// <summary>Waits until <paramref name="instance"/> holds <paramref name="voter"/>'s votes, as "member=status" sorted by member.</summary>
    private static async Task WaitVotesAsync(ServeInstance instance, string voter, string expected, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        string seen = "";
        while (watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            seen = string.Join(' ', (await instance.MembersAsync(Pool, token))
                .SelectMany(m => m.GetProperty("votes").EnumerateArray()
                    .Where(v => v.GetProperty("instance").GetString() == voter)
                    .Select(v => $"{m.GetProperty("member").GetString()}={v.GetProperty("status").GetString()}"))
                .Order(StringComparer.Ordinal));
            if (seen == expected)
            {
                return;
            }

            await Task.Delay(100, token);
        }

        Assert.Fail($"{instance.Name} did not see {voter}'s votes {expected} within 20 s (saw {seen})");
    }

    private static async Task<bool> DegradedAsync(ServeInstance instance, CancellationToken token) =>
        (await instance.GetJsonAsync("/api/v1/pools", token)).GetProperty("sharedState").GetProperty("degraded").GetBoolean();

    private static async Task<string> DescribeAsync(ServeInstance instance, CancellationToken token) =>
        string.Join("\n", (await instance.MembersAsync(Pool, token)).Select(m => m.ToString()));

}
