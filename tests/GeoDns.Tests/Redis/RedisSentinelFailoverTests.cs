using System.Diagnostics;
using System.Net;
using GeoDns.Tests.EndToEnd;

namespace GeoDns.Tests.Redis;

/// <summary>
/// Two real <c>geodns serve</c> processes on a real Sentinel setup (primary, replica, three
/// sentinels). The primary is killed by PID while a client keeps asking both instances over
/// UDP: no query goes unanswered while the sentinels promote the replica, the overrides and
/// votes written before are on the new primary, and a drain made on A after the promotion
/// changes B's answer.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class RedisSentinelFailoverTests : ProcessFixture
{
    protected override string FolderPrefix => "geodns-sentinel-e2e-";

    private const string Name = "www.gtm.e2e.test.";
    private const string Pool = "www.gtm.e2e.test.";
    private const string Eu = "198.51.100.10";
    private const string Us = "192.0.2.10";
    private const string Token = "sentinel-token-51c2";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private string _tokenFile = null!;

    [SetUp]
    public void SetUp()
    {
        _tokenFile = Path.Combine(Folder.FullName, "token");
        File.WriteAllText(_tokenFile, Token + "\n");
    }

    /// <summary>A failover pool, eu-west first, with a TCP check on a live port so both instances vote.</summary>
    private string WriteZone(int livePort)
    {
        var zones = Path.Combine(Folder.FullName, "zones");
        Directory.CreateDirectory(zones);
        File.WriteAllText(Path.Combine(zones, "e2e.test.zone"), $"""
            $ORIGIN e2e.test.
            $TTL 60
            @        SOA    ns1 hostmaster 1 7200 900 1209600 60
            @        NS     ns1
            ns1      A      192.0.2.53
            $REGION  us-east  continents=NA countries=US
            $REGION  eu-west  continents=EU countries=IE
            $CHECK   alive tcp port={livePort} target=127.0.0.1 interval=1s timeout=500ms
            www.gtm  5  POOL    A  policy=failover max-answers=1 check=alive
            www.gtm  5  MEMBER  eu-west  {Eu}
            www.gtm  5  MEMBER  us-east  {Us}
            """);
        return zones;
    }

    [Test]
    public async Task PrimaryKilledAnswersNeverStopStateSurvivesAndADrainAfterThePromotionReachesBoth(CancellationToken token)
    {
        using var live = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        live.Start();
        using var accepting = CancellationTokenSource.CreateLinkedTokenSource(token);
        var acceptLoop = LoopbackAccept.EachAsync(live, socket =>
        {
            socket.Dispose();
            return Task.CompletedTask;
        }, accepting.Token);
        var zones = WriteZone(((IPEndPoint)live.LocalEndpoint).Port);
        var group = Own(await SentinelGroup.StartAsync());
        var a = Own(ServeInstance.Start("a", zones, group.Configuration, _tokenFile));
        var b = Own(ServeInstance.Start("b", zones, group.Configuration, _tokenFile));
        await a.WaitReadyAsync(Name, Eu, StartLimit, token);
        await b.WaitReadyAsync(Name, Eu, StartLimit, token);
        await WaitSharedAsync(a, b, token);

        // Before the failover: an override made on B (force the us-east member up: no answer changes)
        // and both instances' votes, on the primary and replicated to the replica.
        using (var forced = await b.PostAsync($"/api/v1/pools/{Pool}/members/{Us}/state?state=up", Token, token))
        {
            Assert.That(forced.StatusCode, Is.EqualTo(HttpStatusCode.OK), await forced.Content.ReadAsStringAsync(token));
        }

        string forcedOverride = $"member {Pool} {Us} up";
        await WaitOverridesAsync(a, forcedOverride, token);
        await SentinelGroup.WaitAsync(async () => SharedKeysHold(await KeysAsync(group.ReplicaPort), forcedOverride: false),
            "the override, the epoch and both votes on the replica");

        // Kill the primary; ask both instances over UDP until the promotion is done and both are synced again.
        int killedPort = group.KillPrimary();
        var outage = Stopwatch.StartNew();
        using var querying = CancellationTokenSource.CreateLinkedTokenSource(token);
        var loops = new[] { QueryLoopAsync(a, querying.Token), QueryLoopAsync(b, querying.Token) };
        var promoted = await group.WaitForPromotionAsync(outage);

        // Right after the promotion (the instances may not have switched yet), a drain on A: stored
        // at once (200) or, while A is still switching, applied on A and stored when it is (202).
        var drain = Stopwatch.StartNew();
        string drainReply;
        using (var drained = await a.PostAsync("/api/v1/regions/eu-west/drain", Token, token))
        {
            drainReply = $"{(int)drained.StatusCode} {await drained.Content.ReadAsStringAsync(token)}";
            Assert.That(drained.StatusCode, Is.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.Accepted), drainReply);
        }

        var drainSeen = await b.TimeUntilAnswerAsync(Name, Us, TimeSpan.FromSeconds(15), token, drain);
        await WaitSharedAsync(a, b, token);
        var resynced = outage.Elapsed;
        await querying.CancelAsync();
        var counts = await Task.WhenAll(loops);
        accepting.Cancel();
        live.Stop();
        await acceptLoop;

        int sent = counts.Sum(c => c.Sent);
        int lost = counts.Sum(c => c.Lost);
        TestContext.Out.WriteLine($"primary {killedPort} killed: sentinels promoted {group.ReplicaPort} after {promoted.TotalSeconds:0.00} s; " +
            $"both instances synced again after {resynced.TotalSeconds:0.00} s; {sent} UDP queries sent during it, {lost} unanswered or failed; " +
            $"drain on A {promoted.TotalSeconds:0.00} s after the kill ({drainReply[..3]}) seen in B's answer {drainSeen?.TotalMilliseconds:0} ms after the POST");
        foreach (var line in a.Output.Split('\n').Where(l => l.Contains("GeoDns.Redis", StringComparison.Ordinal)))
        {
            TestContext.Out.WriteLine("a: " + line);
        }

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.GreaterThan(20), "the client kept asking through the failover");
            Assert.That(lost, Is.Zero, "no SERVFAIL, no timeout while Sentinel promoted the replica");
            Assert.That(counts.Sum(c => c.Other), Is.Zero, "until the drain, every answer was the eu-west member");
            Assert.That(drainSeen, Is.Not.Null, "B did not answer the us-east member within 15 s of the drain on A\n" + b.Output);
        });

        // What was written before the failover is still in force, and the new primary holds it all.
        await WaitOverridesAsync(a, $"drain eu-west; {forcedOverride}", token);
        await WaitOverridesAsync(b, $"drain eu-west; {forcedOverride}", token);
        Assert.That(SharedKeysHold(await KeysAsync(group.PrimaryPort), forcedOverride: true), Is.True, "overrides, epoch and votes on the new primary");
        Assert.That(a.Output + b.Output, Does.Not.Contain("held no GeoDns overrides"), "the epoch replicated: nobody re-seeded");

        // Both instances resubscribed to the events channel on the new primary.
        var subscribers = SentinelGroup.Fields(await SentinelGroup.CliAsync(group.PrimaryPort, "pubsub", "numsub", "{geodns}:events"));
        Assert.That(subscribers.GetValueOrDefault("{geodns}:events"), Is.EqualTo("2"), "subscribers of the events channel on the new primary");
    }

    /// <summary>
    /// Every sentinel down when GeoDns starts (a cold start where GeoDns comes up first): the
    /// instance starts, says so once, and connects through the sentinels once they are back.
    /// </summary>
    [Test]
    public async Task SentinelsDownAtStartConnectOnceTheyAreBack()
    {
        using var group = await SentinelGroup.StartAsync();
        group.KillSentinels();
        var node = await SharedNode.StartAsync(group.Configuration, "a", "{geodns}:");
        try
        {
            await SharedNode.WaitForAsync(() => node.Link.Degraded, TimeSpan.FromSeconds(15), "the instance to report Redis unreachable");
            await Task.Delay(1500);
            Assert.That(node.Link.DegradedEpisodes, Is.EqualTo(1), "one episode, however many connect attempts");
            group.RestartSentinels();
            var back = await SharedNode.WaitForAsync(() => node.Link.IsConnected && !node.Link.Degraded, TimeSpan.FromSeconds(30), "a connection through the sentinels");
            TestContext.Out.WriteLine($"synced {back.TotalSeconds:0.0} s after the sentinels restarted");
            var result = await node.Overrides.ApplyAsync(Core.Health.OverrideChange.DrainRegion("eu-west", true));
            Assert.That(result.Shared, Is.True, result.Detail);
            Assert.That(SentinelGroup.Fields(await SentinelGroup.CliAsync(group.PrimaryPort, "hgetall", "{geodns}:overrides")).GetValueOrDefault("region:eu-west"), Is.EqualTo("drained"));
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    /// <summary>Sends one query at a time to <paramref name="instance"/> (1 s timeout each) until cancelled.</summary>
    private static async Task<(int Sent, int Lost, int Other)> QueryLoopAsync(ServeInstance instance, CancellationToken token)
    {
        int sent = 0, lost = 0, other = 0;
        bool drainedYet = false;
        while (!token.IsCancellationRequested)
        {
            string? answer;
            try
            {
                answer = await instance.AskAsync(Name, token, TimeSpan.FromSeconds(1));
            }
            catch (OperationCanceledException)
            {
                break;
            }

            sent++;
            if (answer is null)
            {
                lost++;
                TestContext.Out.WriteLine($"{instance.Name}: no answer at query {sent}");
            }
            else if (answer != Eu)
            {
                // Us only once the drain was made (the loop runs until B shows it).
                drainedYet |= answer == Us;
                other += drainedYet ? 0 : 1;
            }

            try
            {
                await Task.Delay(20, token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (sent, lost, other);
    }

    /// <summary>Every key and field of the shared state, as <c>key field=value ...</c> lines.</summary>
    private static async Task<Dictionary<string, Dictionary<string, string>>> KeysAsync(int port)
    {
        var keys = (await SentinelGroup.CliAsync(port, "--scan", "--pattern", "{geodns}:*"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            result[key] = key.EndsWith(":epoch", StringComparison.Ordinal)
                ? new() { ["value"] = (await SentinelGroup.CliAsync(port, "get", key)).Trim() }
                : SentinelGroup.Fields(await SentinelGroup.CliAsync(port, "hgetall", key));
        }

        return result;
    }

    private static bool SharedKeysHold(Dictionary<string, Dictionary<string, string>> keys, bool forcedOverride)
    {
        var overrides = keys.GetValueOrDefault("{geodns}:overrides");
        var votes = keys.GetValueOrDefault($"{{geodns}}:votes:{Pool} {Eu}");
        return keys.ContainsKey("{geodns}:epoch") && overrides is not null && overrides.GetValueOrDefault($"member:{Pool} {Us}") == "up"
            && (!forcedOverride || overrides.ContainsKey("region:eu-west"))
            && votes is not null && votes.ContainsKey("a") && votes.ContainsKey("b");
    }

    /// <summary>Both instances connected, not degraded, and each sees the other's vote.</summary>
    private static async Task WaitSharedAsync(ServeInstance a, ServeInstance b, CancellationToken token)
    {
        foreach (var (instance, other) in new[] { (a, "b"), (b, "a") })
        {
            await SentinelGroup.WaitAsync(async () =>
            {
                var state = (await instance.GetJsonAsync("/api/v1/pools", token)).GetProperty("sharedState");
                var votes = (await instance.MembersAsync(Pool, token)).SelectMany(m => m.GetProperty("votes").EnumerateArray());
                return state.GetProperty("connected").GetBoolean() && !state.GetProperty("degraded").GetBoolean()
                    && votes.Any(v => v.GetProperty("instance").GetString() == other);
            }, $"{instance.Name} connected through the sentinels and seeing {other}'s votes");
        }
    }

    private static Task WaitOverridesAsync(ServeInstance instance, string expected, CancellationToken token) =>
        SentinelGroup.WaitAsync(async () => await instance.OverridesAsync(token) == expected, $"{instance.Name}'s overrides to be '{expected}'");
}
