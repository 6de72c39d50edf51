using System.Diagnostics;
using GeoDns.Core.Health;
using static GeoDns.Tests.Redis.SharedNode;

namespace GeoDns.Tests.Redis;

/// <summary>
/// Votes that can no longer be refreshed age out on each instance's own clock, also while Redis
/// is unreachable: a cut-off instance falls back to its own verdict once the others' votes are
/// stale, and no stale verdict is frozen. Two instances, quorum=majority, check interval 200 ms
/// (a vote is fresh for 1 s), real redis-server.
/// </summary>
[CancelAfter(60_000)]
public class RedisOutageVoteAgingTests : RedisNodeFixture
{
    /// <summary>Freshness (1 s) + 10 s: generous for a loaded machine.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(11);

    private async Task<SharedNode> NodeAsync(string instance, string? redis = null)
    {
        var node = await StartAsync(redis ?? Redis.Configuration, instance, Prefix);
        Nodes.Add(node);
        await EventuallyAsync(() => node.Link.LastSync is not null && !node.Link.Degraded, Timeout, $"{instance} synced");
        return node;
    }

    /// <summary>Polls every 50 ms (no spinning) until <paramref name="condition"/> holds; fails after <paramref name="bound"/>.</summary>
    private static Task<TimeSpan> EventuallyAsync(Func<bool> condition, TimeSpan bound, string what) =>
        EventuallyAsync(condition, bound, () => what);

    /// <summary>As above; <paramref name="what"/> is evaluated on failure, so it shows the state at the end.</summary>
    private static async Task<TimeSpan> EventuallyAsync(Func<bool> condition, TimeSpan bound, Func<string> what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > bound)
            {
                Assert.Fail($"not within {bound.TotalSeconds} s: {what()}");
            }

            await Task.Delay(50);
        }

        return watch.Elapsed;
    }

    private static string Votes(SharedNode node, MemberKey key) =>
        $"{node.Link.Instance}: shared={node.Slot(key).Shared} votes=" +
        string.Join(",", node.View.VotesFor(node.Slot(key)).Select(v => $"{v.Instance}={Vote.StatusText(v.Status)}@{v.At:HH:mm:ss.fff}"));

    private async Task<(SharedNode A, SharedNode B)> PairAllUpAsync(string? redisOfA = null)
    {
        var a = await NodeAsync("a", redisOfA);
        var b = await NodeAsync("b");
        a.SetAllLocal(HealthStatus.Up);
        b.SetAllLocal(HealthStatus.Up);
        await EventuallyAsync(() => a.View.VotesFor(a.Slot(Eu1)).Count == 2 && b.View.VotesFor(b.Slot(Eu1)).Count == 2,
            Timeout, "each instance sees both up votes");
        return (a, b);
    }

    [Test]
    public async Task Redis_killed_then_a_member_dies_both_instances_withdraw_it_once_the_others_votes_are_stale()
    {
        var (a, b) = await PairAllUpAsync();
        Redis.Kill();
        await EventuallyAsync(() => a.Link.Degraded && b.Link.Degraded, Timeout, "both degraded");

        // The backend dies: both instances' checkers see it. Each one's Down ties the other's
        // last Up read from Redis (a tie stays up) until that Up vote goes stale.
        a.SetLocal(Eu1, HealthStatus.Down);
        b.SetLocal(Eu1, HealthStatus.Down);
        var took = await EventuallyAsync(() => !a.Slot(Eu1).Usable && !b.Slot(Eu1).Usable, Bound,
            () => $"dead member withdrawn on both instances; {Votes(a, Eu1)}; {Votes(b, Eu1)}");
        TestContext.Out.WriteLine($"withdrawn on both {took.TotalMilliseconds:F0} ms after the local Down verdicts");

        Assert.Multiple(() =>
        {
            foreach (var node in new[] { a, b })
            {
                Assert.That(node.Slot(Eu1).Shared, Is.EqualTo(HealthStatus.Down), Votes(node, Eu1));
                Assert.That(node.Slot(Us1).Usable && node.Slot(Us2).Usable, Is.True, "no Down from the outage itself");
            }
        });

        // Up again locally during the outage: the own verdict rules, nothing stays frozen.
        a.SetLocal(Eu1, HealthStatus.Up);
        Assert.That(a.Slot(Eu1).Usable, Is.True);
    }

    [Test]
    public async Task One_instance_cut_off_from_Redis_then_a_member_dies_both_withdraw_it_and_agree_after_reconnect()
    {
        var proxy = new TcpProxy(Redis.Port);
        Owned.Add(proxy);
        var (a, b) = await PairAllUpAsync(proxy.Configuration);
        proxy.Blocked = true;
        await EventuallyAsync(() => a.Link.Degraded, Timeout, "a degraded");
        Assert.That(b.Link.Degraded, Is.False);

        a.SetLocal(Eu1, HealthStatus.Down);
        b.SetLocal(Eu1, HealthStatus.Down);
        await EventuallyAsync(() => !a.Slot(Eu1).Usable && !b.Slot(Eu1).Usable, Bound,
            () => $"dead member withdrawn on both instances; {Votes(a, Eu1)}; {Votes(b, Eu1)}");

        // Reconnect: a re-publishes its Down and reads b's; still down on both, nothing stale comes back.
        proxy.Blocked = false;
        await EventuallyAsync(() => !a.Link.Degraded, Timeout, "a resynced");
        await EventuallyAsync(() => a.View.VotesFor(a.Slot(Eu1)).All(v => v.Status == HealthStatus.Down)
            && b.View.VotesFor(b.Slot(Eu1)).All(v => v.Status == HealthStatus.Down), Timeout, "both down votes shared");
        Assert.That(a.Slot(Eu1).Usable || b.Slot(Eu1).Usable, Is.False, $"{Votes(a, Eu1)}; {Votes(b, Eu1)}");
    }

    [Test]
    public async Task A_cut_off_instance_that_alone_sees_a_member_down_withdraws_it_only_locally_and_the_tie_returns_at_reconnect()
    {
        var proxy = new TcpProxy(Redis.Port);
        Owned.Add(proxy);
        var (a, b) = await PairAllUpAsync(proxy.Configuration);
        proxy.Blocked = true;
        await EventuallyAsync(() => a.Link.Degraded, Timeout, "a degraded");

        // Only a's vantage point loses the member (its own network trouble, say).
        a.SetLocal(Eu1, HealthStatus.Down);
        await EventuallyAsync(() => !a.Slot(Eu1).Usable, Bound, () => $"a falls back to its own verdict; {Votes(a, Eu1)}");
        // b never heard of a's Down; a's last Up ages out on b, b's own Up rules: no false Down from a partition.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.That(b.Slot(Eu1).Usable, Is.True, Votes(b, Eu1));
        Assert.That(b.Slot(Eu1).Shared, Is.EqualTo(HealthStatus.Up), Votes(b, Eu1));

        // Back in touch: a's Down and b's Up are both fresh, a tie, which stays up on both.
        proxy.Blocked = false;
        await EventuallyAsync(() => !a.Link.Degraded && a.Slot(Eu1).Usable
            && b.View.VotesFor(b.Slot(Eu1)).Any(v => v.Instance == "a" && v.Status == HealthStatus.Down), Timeout,
            () => $"tie after reconnect; {Votes(a, Eu1)}; {Votes(b, Eu1)}");
        Assert.That(b.Slot(Eu1).Usable, Is.True, Votes(b, Eu1));
    }
}
