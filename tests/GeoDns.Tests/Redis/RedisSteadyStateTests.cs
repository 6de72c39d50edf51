using System.Diagnostics;
using System.Text.RegularExpressions;
using GeoDns.Core.Health;
using GeoDns.Redis;
using static GeoDns.Tests.Redis.SharedNode;

namespace GeoDns.Tests.Redis;

/// <summary>
/// Shared state costs in proportion to changes: while no verdict changes, each instance sends one
/// heartbeat per sync tick whatever the number of members; a change is one write and one
/// announcement; votes count while their writer's heartbeat is fresh. On a real redis-server,
/// counted with INFO commandstats (read with redis-cli).
/// </summary>
[CancelAfter(60_000)]
public partial class RedisSteadyStateTests : RedisNodeFixture
{
    private const int Members = 400;

    private async Task<SharedNode> NodeAsync(string instance, Quorum quorum = Quorum.Majority)
    {
        // Sync tick (heartbeat) 200 ms, check interval 200 ms: votes are fresh for 1 s.
        var node = await StartAsync(Redis.Configuration, instance, Prefix, quorum, bulkMembers: Members);
        Nodes.Add(node);
        await WaitForAsync(() => node.Link.LastSync is not null && !node.Link.Degraded, Timeout, $"{instance} synced");
        return node;
    }

    private static void SetBulk(SharedNode node, HealthStatus status)
    {
        foreach (var key in Bulk(Members))
        {
            node.SetLocal(key, status);
        }
    }

    /// <summary>Calls per command since the server started (INFO commandstats), the INFO calls themselves left out.</summary>
    private Dictionary<string, long> CommandStats()
    {
        using var cli = Process.Start(new ProcessStartInfo("redis-cli", ["-p", $"{Redis.Port}", "INFO", "commandstats"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        string output = cli.StandardOutput.ReadToEnd();
        Assert.That(cli.WaitForExit(10_000), Is.True, "redis-cli INFO did not finish");
        return CommandStat().Matches(output)
            .Where(m => m.Groups[1].Value != "info")
            .ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Select(p => (p.Key, Calls: p.Value - before.GetValueOrDefault(p.Key)))
            .Where(p => p.Calls > 0)
            .ToDictionary(p => p.Key, p => p.Calls);

    private static string Describe(Dictionary<string, long> delta) => string.Join(", ", delta.Select(p => $"{p.Key}={p.Value}"));

    [Test]
    public async Task Steady_health_costs_one_heartbeat_per_instance_per_tick_whatever_the_member_count()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        SetBulk(a, HealthStatus.Up);
        SetBulk(b, HealthStatus.Up);
        var last = Bulk(Members).Last();
        await WaitForAsync(() => a.View.VotesFor(a.Slot(last)).Count == 2 && b.View.VotesFor(b.Slot(last)).Count == 2,
            Timeout, "every vote shared");
        await Task.Delay(500); // let the re-reads that the first heartbeats asked for finish

        var before = CommandStats();
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var delta = Delta(before, CommandStats());
        var span = watch.Elapsed;
        long total = delta.Values.Sum();
        TestContext.Out.WriteLine($"{total} commands in {span.TotalSeconds:0.0} s with 2 instances x {Members + 3} members: {Describe(delta)}");

        // Two instances, one heartbeat each per 200 ms tick: 10 a second (plus one tick of slack each).
        double bound = (span.TotalSeconds / 0.2 + 2) * 2;
        Assert.Multiple(() =>
        {
            Assert.That(total, Is.LessThanOrEqualTo((long)bound), Describe(delta));
            Assert.That(delta.Keys, Is.EquivalentTo(new[] { "publish" }), "nothing but heartbeats while nothing changes");
            Assert.That(a.Slot(last).Shared, Is.EqualTo(HealthStatus.Up));
            Assert.That(((RedisHealthStore)a.Health).Table.IsFresh(last, "b"), Is.True, "b's votes stay fresh on its heartbeat alone");
        });
    }

    [Test]
    public async Task A_transition_is_one_write_and_one_announcement_and_reaches_the_other_instance()
    {
        var a = await NodeAsync("a", Quorum.All);
        var b = await NodeAsync("b", Quorum.All);
        SetBulk(a, HealthStatus.Up);
        SetBulk(b, HealthStatus.Up);
        var member = Bulk(Members).ElementAt(123);
        await WaitForAsync(() => b.View.VotesFor(b.Slot(member)).Count == 2, Timeout, "votes shared");
        await Task.Delay(500);

        var before = CommandStats();
        var watch = Stopwatch.StartNew();
        a.SetLocal(member, HealthStatus.Down);
        await WaitForAsync(() => !b.Slot(member).Usable, Timeout, "a's Down on b");
        var took = watch.Elapsed;
        var delta = Delta(before, CommandStats());
        TestContext.Out.WriteLine($"a's Down reached b after {took.TotalMilliseconds:0} ms; commands meanwhile: {Describe(delta)}");
        Assert.Multiple(() =>
        {
            Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(1)), "announced, not polled");
            Assert.That(delta.GetValueOrDefault("hset"), Is.EqualTo(1), "one vote written: " + Describe(delta));
            Assert.That(delta.GetValueOrDefault("hgetall"), Is.Zero, "the announcement carries the vote: no read " + Describe(delta));
            Assert.That(b.View.VotesFor(b.Slot(member)).Single(v => v.Instance == "a").Status, Is.EqualTo(HealthStatus.Down));
        });
    }

    [Test]
    public async Task A_dead_instances_votes_stop_counting_once_its_heartbeat_is_stale_and_never_count_for_a_newcomer()
    {
        var a = await NodeAsync("a", Quorum.All);
        var b = await NodeAsync("b", Quorum.All);
        SetBulk(a, HealthStatus.Up);
        b.SetLocal(Us1, HealthStatus.Down);
        await WaitForAsync(() => !a.Slot(Us1).Usable, Timeout, "b's Down on a");

        // b dies without a word: its vote stays in Redis, its heartbeats stop.
        await b.DisposeAsync();
        Nodes.Remove(b);
        var stale = await WaitForAsync(() => a.Slot(Us1).Usable, Timeout, "b's vote aged out on a");
        TestContext.Out.WriteLine($"b's vote stopped counting {stale.TotalMilliseconds:0} ms after b stopped");
        Assert.That(stale, Is.GreaterThan(TimeSpan.FromMilliseconds(600)), "b's last heartbeat kept its vote fresh for about 1 s");
        var table = ((RedisHealthStore)a.Health).Table;
        Assert.That(table.IsFresh(Us1, "b"), Is.False);

        // A newcomer reads b's vote from Redis but never hears b: it never counts there either.
        var c = await NodeAsync("c", Quorum.All);
        c.SetLocal(Us1, HealthStatus.Up);
        await WaitForAsync(() => c.View.VotesFor(c.Slot(Us1)).Any(v => v.Instance == "b"), Timeout, "b's vote read by c");
        await Task.Delay(1500);
        Assert.Multiple(() =>
        {
            Assert.That(c.Slot(Us1).Usable, Is.True, "b's left-over Down does not count on c");
            Assert.That(((RedisHealthStore)c.Health).Table.IsFresh(Us1, "b"), Is.False);
            Assert.That(((RedisHealthStore)c.Health).Table.IsFresh(Bulk(Members).First(), "a"), Is.True, "a is heard");
        });
    }

    [Test]
    public async Task A_writer_whose_serial_moves_between_every_two_heartbeats_still_counts()
    {
        var a = await NodeAsync("a", Quorum.All);
        var b = await NodeAsync("b", Quorum.All);
        SetBulk(a, HealthStatus.Up);
        b.SetLocal(Us1, HealthStatus.Down);
        await WaitForAsync(() => !a.Slot(Us1).Usable, Timeout, "b's Down on a");

        // b re-asserts all its votes faster than it beats (as an instance whose link keeps
        // dropping does): every heartbeat a hears carries a serial it was not told of.
        var resyncs = Stopwatch.StartNew();
        var bStore = (RedisHealthStore)b.Health;
        bool everUsable = false;
        while (resyncs.Elapsed < TimeSpan.FromSeconds(3))
        {
            await bStore.ResyncAsync();
            everUsable |= a.Slot(Us1).Usable;
            await Task.Delay(100);
        }

        Assert.Multiple(() =>
        {
            Assert.That(everUsable, Is.False, "b's Down stopped counting on a while b was alive and beating");
            Assert.That(((RedisHealthStore)a.Health).Table.IsFresh(Us1, "b"), Is.True);
        });
    }

    [Test]
    public async Task Votes_announced_before_an_instance_monitors_a_member_are_read_when_it_starts_to()
    {
        var a = await NodeAsync("a", Quorum.All);
        var b = await NodeAsync("b", Quorum.All);
        var aStore = (RedisHealthStore)a.Health;
        var monitored = aStore.Table.Monitored;

        // a monitors nothing (its zones not loaded yet, or a pool added by a later reload)
        // while b votes: b's announcement reaches a, which has nothing to apply it to.
        a.Health.SetMonitored([]);
        await Task.Delay(300);
        b.SetLocal(Us1, HealthStatus.Down);
        await Task.Delay(500);

        a.Health.SetMonitored(monitored);
        await WaitForAsync(() => a.View.VotesFor(a.Slot(Us1)).Any(v => v.Instance == "b" && v.Status == HealthStatus.Down), Timeout,
            "b's vote, announced before a monitored the member, seen by a");
    }

    [GeneratedRegex(@"cmdstat_(\w+):calls=(\d+)")]
    private static partial Regex CommandStat();
}
