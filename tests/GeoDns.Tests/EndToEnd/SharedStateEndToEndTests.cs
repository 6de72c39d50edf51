using System.Diagnostics;
using System.Net;
using GeoDns.Tests.Redis;

namespace GeoDns.Tests.EndToEnd;

/// <summary>
/// Two real <c>geodns serve</c> processes sharing one real redis-server: operator changes made
/// through one instance's admin API show in the other's DNS answers; a Redis outage changes no
/// answer; a Redis restarted empty is re-seeded and both instances converge.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class SharedStateEndToEndTests
{
    private const string Name = "www.gtm.e2e.test.";
    private const string Pool = "www.gtm.e2e.test.";
    private const string Eu = "198.51.100.10";
    private const string Us = "192.0.2.10";
    private const string Token = "e2e-token-7d1f";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private DirectoryInfo _directory = null!;
    private string _tokenFile = null!;
    private readonly List<IDisposable> _owned = [];

    [SetUp]
    public void SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("geodns-e2e-");
        _tokenFile = Path.Combine(_directory.FullName, "token");
        File.WriteAllText(_tokenFile, Token + "\n");
        Directory.CreateDirectory(Path.Combine(_directory.FullName, "zones"));
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }

        _owned.Clear();
        _directory.Delete(recursive: true);
    }

    /// <summary>A failover pool: eu-west first, so draining eu-west (or pinning us-east) changes the answer.</summary>
    private void WriteZone(string check = "", string poolCheck = "")
    {
        File.WriteAllText(Path.Combine(_directory.FullName, "zones", "e2e.test.zone"), $"""
            $ORIGIN e2e.test.
            $TTL 60
            @        SOA    ns1 hostmaster 1 7200 900 1209600 60
            @        NS     ns1
            ns1      A      192.0.2.53
            $REGION  us-east  continents=NA countries=US
            $REGION  eu-west  continents=EU countries=IE
            {check}
            www.gtm  5  POOL    A  policy=failover max-answers=1 {poolCheck}
            www.gtm  5  MEMBER  eu-west  {Eu}
            www.gtm  5  MEMBER  us-east  {Us}
            """);
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private async Task<(ServeInstance A, ServeInstance B)> StartPairAsync(RedisServer redis, CancellationToken token)
    {
        var zones = Path.Combine(_directory.FullName, "zones");
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

        var drainSeen = await b.TimeUntilAnswerAsync(Name, Us, TimeSpan.FromSeconds(5), token, watch);
        Assert.That(drainSeen, Is.Not.Null, "B did not answer the us-east member within 5 s of the drain on A\n" + b.Output);
        Assert.That(await a.AskAsync(Name, token), Is.EqualTo(Us));

        watch.Restart();
        using (var undrained = await a.PostAsync("/api/v1/regions/eu-west/undrain", Token, token))
        {
            Assert.That(undrained.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var undrainSeen = await b.TimeUntilAnswerAsync(Name, Eu, TimeSpan.FromSeconds(5), token, watch);
        Assert.That(undrainSeen, Is.Not.Null, "B did not answer the eu-west member again within 5 s of the undrain on A");
        TestContext.Out.WriteLine($"drain on A seen on B after {drainSeen!.Value.TotalMilliseconds:0.0} ms, undrain after {undrainSeen!.Value.TotalMilliseconds:0.0} ms");
    }

    [Test]
    public async Task RedisOutageChangesNoAnswerAndARedisBackEmptyIsReseededFromTheInstances(CancellationToken token)
    {
        // Both members checked against a listener of ours, so the instances have votes to share.
        using var target = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        target.Start();
        using var accepting = CancellationTokenSource.CreateLinkedTokenSource(token);
        var acceptLoop = LoopbackAccept.EachAsync(target, socket =>
        {
            socket.Dispose();
            return Task.CompletedTask;
        }, accepting.Token);
        int port = ((IPEndPoint)target.LocalEndpoint).Port;
        WriteZone($"$CHECK alive tcp port={port} target=127.0.0.1 interval=250ms timeout=200ms", "check=alive");
        var redis = Own(RedisServer.Start());
        var (a, b) = await StartPairAsync(redis, token);

        using (var pinned = await a.PostAsync($"/api/v1/pools/{Pool}/pin/us-east", Token, token))
        {
            Assert.That(pinned.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That(await b.TimeUntilAnswerAsync(Name, Us, TimeSpan.FromSeconds(5), token), Is.Not.Null, "pin did not reach B");
        Assert.That(await VotesFromAsync(b, "a", token), Is.EqualTo(2), "B sees A's votes before the outage");

        redis.Kill();
        var outage = Stopwatch.StartNew();
        foreach (var instance in new[] { a, b })
        {
            var answers = new List<string?>();
            for (int i = 0; i < 200; i++)
            {
                answers.Add(await instance.AskAsync(Name, token));
                await Task.Delay(5, token);
            }

            Assert.That(answers, Has.Count.EqualTo(200).And.All.EqualTo(Us), $"answers of {instance.Name} during the Redis outage");
        }

        TestContext.Out.WriteLine($"400 queries answered unchanged over {outage.Elapsed.TotalSeconds:0.0} s of Redis outage");
        foreach (var instance in new[] { a, b })
        {
            foreach (var member in await instance.MembersAsync(Pool, token))
            {
                Assert.That(member.GetProperty("usable").GetBoolean(), Is.True, $"{instance.Name}: {member}");
                Assert.That(member.GetProperty("shared").GetString(), Is.Not.EqualTo("down"), $"{instance.Name}: {member}");
            }
        }

        // Changes on A while Redis is down apply on A only (202) ...
        using (var unpinned = await a.PostAsync($"/api/v1/pools/{Pool}/unpin", Token, token))
        {
            Assert.That(unpinned.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        using (var drained = await a.PostAsync("/api/v1/regions/us-east/drain", Token, token))
        {
            Assert.That(drained.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        }

        Assert.That(await a.AskAsync(Name, token), Is.EqualTo(Eu));
        Assert.That(await b.AskAsync(Name, token), Is.EqualTo(Us));
        string expected = await a.OverridesAsync(token);
        Assert.That(expected, Is.EqualTo("drain us-east"));

        // ... and reach B once Redis is back, empty.
        redis.Restart();
        var converge = Stopwatch.StartNew();
        while (converge.Elapsed < TimeSpan.FromSeconds(10)
            && (await b.OverridesAsync(token) != expected || await b.AskAsync(Name, token) != Eu))
        {
            await Task.Delay(50, token);
        }

        Assert.That(await b.OverridesAsync(token), Is.EqualTo(expected), "B did not converge on A's overrides within 10 s\n" + b.Output);
        Assert.That(await b.AskAsync(Name, token), Is.EqualTo(Eu));
        Assert.That(await a.OverridesAsync(token), Is.EqualTo(expected));
        TestContext.Out.WriteLine($"B converged on A's overrides {converge.Elapsed.TotalMilliseconds:0} ms after Redis came back empty");
        await accepting.CancelAsync();
        await acceptLoop;
    }

    private static async Task<int> VotesFromAsync(ServeInstance instance, string voter, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        int count = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            count = (await instance.MembersAsync(Pool, token)).Count(m => m.GetProperty("votes").EnumerateArray()
                .Any(v => v.GetProperty("instance").GetString() == voter && v.GetProperty("status").GetString() == "up"));
            if (count == 2)
            {
                break;
            }

            await Task.Delay(50, token);
        }

        return count;
    }
}
