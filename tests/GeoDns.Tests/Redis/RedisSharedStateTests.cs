using System.Diagnostics;
using GeoDns.Core.Health;
using GeoDns.Redis;
using static GeoDns.Tests.Redis.SharedNode;

namespace GeoDns.Tests.Redis;

[CancelAfter(60_000)]
public class RedisSharedStateTests : RedisNodeFixture
{
    private async Task<SharedNode> NodeAsync(string instance, Quorum quorum = Quorum.Majority, string? redis = null)
    {
        var node = await StartAsync(redis ?? Redis.Configuration, instance, Prefix, quorum);
        Nodes.Add(node);
        if (Redis.Running)
        {
            await WaitForAsync(() => node.Link.LastSync is not null && !node.Link.Degraded, Timeout, $"{instance} synced");
        }

        return node;
    }

    [TestCase(Quorum.Any, HealthStatus.Up)]
    [TestCase(Quorum.Majority, HealthStatus.Down)]
    [TestCase(Quorum.All, HealthStatus.Down)]
    public async Task Votes_of_three_instances_combine_by_quorum(Quorum quorum, HealthStatus expected)
    {
        var a = await NodeAsync("a", quorum);
        var b = await NodeAsync("b", quorum);
        var c = await NodeAsync("c", quorum);
        a.SetLocal(Us1, HealthStatus.Up);
        b.SetLocal(Us1, HealthStatus.Down);
        c.SetLocal(Us1, HealthStatus.Down);
        foreach (var node in new[] { a, b, c })
        {
            await WaitForAsync(() => node.View.VotesFor(node.Slot(Us1)).Count == 3, Timeout, "three votes");
            await WaitForAsync(() => node.Slot(Us1).Shared == expected, Timeout, $"{expected} under {quorum}");
        }

        // One instance changing its mind is seen everywhere: quorum all needs everyone up.
        b.SetLocal(Us1, HealthStatus.Up);
        c.SetLocal(Us1, HealthStatus.Up);
        foreach (var node in new[] { a, b, c })
        {
            await WaitForAsync(() => node.Slot(Us1).Shared == HealthStatus.Up && node.Slot(Us1).Usable, Timeout, "all up");
        }
    }

    [Test]
    public async Task Majority_of_two_is_a_tie_that_stays_up()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        a.SetLocal(Eu1, HealthStatus.Down);
        b.SetLocal(Eu1, HealthStatus.Up);
        await WaitForAsync(() => a.View.VotesFor(a.Slot(Eu1)).Count == 2, Timeout, "both votes on a");
        Assert.That(a.Slot(Eu1).Shared, Is.EqualTo(HealthStatus.Up));
        b.SetLocal(Eu1, HealthStatus.Down);
        await WaitForAsync(() => !a.Slot(Eu1).Usable, Timeout, "a sees both down");
    }

    [Test]
    public async Task Overrides_propagate_between_instances_and_survive_a_restart()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        a.SetAllLocal(HealthStatus.Up);
        b.SetAllLocal(HealthStatus.Up);

        var result = await a.Overrides.ApplyAsync(OverrideChange.DrainRegion("eu-west", true));
        Assert.That(result.Shared, Is.True, result.Detail);
        await WaitForAsync(() => !b.Slot(Eu1).Usable, Timeout, "drain seen on b"); // how fast: bench/redis

        await b.Overrides.ApplyAsync(OverrideChange.Member(Us1, MemberOverride.ForceDown));
        await b.Overrides.ApplyAsync(OverrideChange.Pin(Us1.Pool, "us-east"));
        await WaitForAsync(() => !a.Slot(Us1).Usable && a.Board.Pool(Us1.Pool).PinnedRegion == "us-east", Timeout, "b's changes on a");

        // Force up beats a down verdict on every instance.
        await a.Overrides.ApplyAsync(OverrideChange.Member(Us2, MemberOverride.ForceUp));
        await WaitForAsync(() => b.Slot(Us2).Override == MemberOverride.ForceUp, Timeout, "force up seen on b");
        a.SetLocal(Us2, HealthStatus.Down);
        b.SetLocal(Us2, HealthStatus.Down);
        await WaitForAsync(() => b.Slot(Us2).Shared == HealthStatus.Down, Timeout, "us2 down on b");
        Assert.That(b.Slot(Us2).Usable, Is.True);

        // A new instance (or a restarted one) reads the overrides from Redis.
        var c = await NodeAsync("c");
        await WaitForAsync(() => !c.Slot(Eu1).Usable && !c.Slot(Us1).Usable && c.Slot(Us2).Usable
            && c.Board.Pool(Us1.Pool).PinnedRegion == "us-east", Timeout, "overrides on a new instance");

        await c.Overrides.ApplyAsync(OverrideChange.DrainRegion("eu-west", false));
        await c.Overrides.ApplyAsync(OverrideChange.Pin(Us1.Pool, null));
        await WaitForAsync(() => a.Slot(Eu1).Usable && b.Slot(Eu1).Usable && a.Board.Pool(Us1.Pool).PinnedRegion is null,
            Timeout, "undrain and unpin everywhere");
    }

    [Test]
    public async Task A_dead_instances_votes_expire()
    {
        var a = await NodeAsync("a", Quorum.All);
        var b = await NodeAsync("b", Quorum.All);
        a.SetLocal(Us1, HealthStatus.Up);
        b.SetLocal(Us1, HealthStatus.Down);
        await WaitForAsync(() => !a.Slot(Us1).Usable, Timeout, "b's down vote on a");

        await b.DisposeAsync();
        Nodes.Remove(b);
        // Interval 200 ms: a vote is fresh for 1 s (the floor), then b no longer counts.
        var delay = await WaitForAsync(() => a.Slot(Us1).Usable, Timeout, "b's vote aged out");
        TestContext.Out.WriteLine($"aged out after {delay.TotalMilliseconds:F0} ms");
        // b's last vote is still listed (its field is deleted only after 10 freshness windows), but it no longer counts.
        var table = ((RedisHealthStore)a.Health).Table;
        Assert.Multiple(() =>
        {
            Assert.That(a.View.VotesFor(a.Slot(Us1)).Select(v => $"{v.Instance}={Vote.StatusText(v.Status)}"), Is.EquivalentTo(new[] { "a=up", "b=down" }));
            Assert.That(table.IsFresh(Us1, "b"), Is.False, "b's vote is stale");
            Assert.That(table.IsFresh(Us1, "a"), Is.True);
            Assert.That(a.Slot(Us1).Shared, Is.EqualTo(HealthStatus.Up));
        });
    }

    [Test]
    public async Task Redis_killed_and_restarted_while_answering_never_fails_or_turns_down()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        a.SetAllLocal(HealthStatus.Up);
        b.SetAllLocal(HealthStatus.Up);
        await a.Overrides.ApplyAsync(OverrideChange.DrainRegion("eu-west", true));
        await WaitForAsync(() => !b.Slot(Eu1).Usable && b.View.VotesFor(b.Slot(Us1)).Count == 2, Timeout, "initial state on b");

        long reads = 0, wrong = 0, readsWhileDegraded = 0;
        using var stop = new CancellationTokenSource();
        var readers = new[] { a, b }.Select(node => Task.Run(async () =>
        {
            var us1 = node.Slot(Us1);
            var us2 = node.Slot(Us2);
            var eu1 = node.Slot(Eu1);
            while (!stop.IsCancellationRequested)
            {
                // What a policy reads per query: both us-east members usable, eu-west drained.
                if (!us1.Usable || !us2.Usable || eu1.Usable)
                {
                    Interlocked.Increment(ref wrong);
                }

                Interlocked.Increment(ref reads);
                if (node.Link.Degraded)
                {
                    Interlocked.Increment(ref readsWhileDegraded);
                }

                // Sample about every millisecond; a busy loop would starve the instances on a 2-core machine.
                await Task.Delay(1, CancellationToken.None);
            }
        })).ToList();

        Redis.Kill();
        await WaitForAsync(() => a.Link.Degraded && b.Link.Degraded, Timeout, "both degraded");
        // Past the vote freshness window (1 s): b's votes are still known to a but stale,
        // so a's own (up) verdicts decide; no answer changes (checked by the readers).
        await WaitForAsync(() => !((RedisHealthStore)a.Health).Table.IsFresh(Us1, "b"), Timeout, "b's vote stale on a");
        Assert.That(a.View.VotesFor(a.Slot(Us1)).Count, Is.EqualTo(2), "last shared view still known");
        Assert.That(a.View.Report().DegradedEpisodes, Is.GreaterThanOrEqualTo(1));

        // A change made during the outage applies locally and is stored when Redis returns.
        var pending = await b.Overrides.ApplyAsync(OverrideChange.Member(Us2, MemberOverride.ForceUp));
        Assert.That(pending.Shared, Is.False, pending.Detail);

        Redis.Restart();
        var converged = await WaitForAsync(() => !a.Link.Degraded && !b.Link.Degraded
            && a.Slot(Us2).Override == MemberOverride.ForceUp
            && a.View.VotesFor(a.Slot(Us1)).Count == 2 && b.View.VotesFor(b.Slot(Us1)).Count == 2, Timeout, "resync after restart");
        TestContext.Out.WriteLine($"converged {converged.TotalMilliseconds:F0} ms after restart; {Interlocked.Read(ref reads)} reads");
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Multiple(() =>
        {
            Assert.That(Interlocked.Read(ref wrong), Is.Zero, "no read saw a changed state");
            Assert.That(Interlocked.Read(ref readsWhileDegraded), Is.GreaterThan(0), "the readers sampled during the outage");
            Assert.That(b.Slot(Eu1).Usable, Is.False, "drain re-stored into the empty Redis");
        });
    }

    [Test]
    public async Task After_an_empty_Redis_returns_b_converges_on_a()
    {
        var a = await NodeAsync("a");
        var b = await NodeAsync("b");
        a.SetAllLocal(HealthStatus.Up);
        b.SetAllLocal(HealthStatus.Up);
        await a.Overrides.ApplyAsync(OverrideChange.DrainRegion("us-east", true));
        await WaitForAsync(() => !b.Slot(Us1).Usable, Timeout, "drain on b");

        Redis.Kill();
        await WaitForAsync(() => a.Link.Degraded && b.Link.Degraded, Timeout, "both degraded");
        // During the outage a changes its verdict and its operator undrains: b cannot know yet.
        a.SetLocal(Eu1, HealthStatus.Down);
        var r = await a.Overrides.ApplyAsync(OverrideChange.DrainRegion("us-east", false));
        Assert.That(r.Shared, Is.False);
        await Task.Delay(300);
        Assert.That(b.Slot(Us1).Usable, Is.False);

        Redis.Restart();
        var watch = Stopwatch.StartNew();
        await WaitForAsync(() => b.Slot(Us1).Usable && b.View.VotesFor(b.Slot(Eu1)).Any(v => v.Instance == "a" && v.Status == HealthStatus.Down),
            Timeout, "b converges on a's state");
        TestContext.Out.WriteLine($"b converged {watch.ElapsedMilliseconds} ms after Redis returned");
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task An_instance_started_while_Redis_is_down_serves_locally_then_joins()
    {
        Redis.Kill();
        var a = await NodeAsync("a");
        a.SetAllLocal(HealthStatus.Up);
        Assert.That(a.Slot(Us1).Usable, Is.True);
        await WaitForAsync(() => a.Link.Degraded, Timeout, "degraded at start");
        Assert.That(a.Slot(Us1).Shared, Is.EqualTo(HealthStatus.Up), "local votes rule while alone");

        Redis.Restart();
        var b = await NodeAsync("b");
        b.SetAllLocal(HealthStatus.Up);
        await WaitForAsync(() => !a.Link.Degraded && a.View.VotesFor(a.Slot(Us1)).Count == 2, Timeout, "a joins");
        await b.Overrides.ApplyAsync(OverrideChange.DrainRegion("eu-west", true));
        await WaitForAsync(() => !a.Slot(Eu1).Usable, Timeout, "drain reaches a");
    }

    [Test]
    public async Task A_change_on_an_instance_started_during_the_outage_does_not_wipe_what_the_others_knew()
    {
        // a reaches Redis through a proxy, so c can be made to reconnect first after the restart.
        using var proxy = new TcpProxy(Redis.Port);
        var a = await NodeAsync("a", redis: proxy.Configuration);
        await a.Overrides.ApplyAsync(OverrideChange.DrainRegion("us-east", true));
        await WaitForAsync(() => !a.Slot(Us1).Usable, Timeout, "drain on a");

        Redis.Kill();
        await WaitForAsync(() => a.Link.Degraded, Timeout, "a degraded");
        // c never read the overrides; its operator change is local until Redis returns, empty.
        var c = await NodeAsync("c");
        var r = await c.Overrides.ApplyAsync(OverrideChange.Pin(Us1.Pool, "eu-west"));
        Assert.That(r.Shared, Is.False);

        proxy.Blocked = true;
        Redis.Restart();
        await WaitForAsync(() => !c.Link.Degraded && c.Link.LastSync is not null, Timeout, "c back first");
        await Task.Delay(300);
        proxy.Blocked = false;

        await WaitForAsync(() => !a.Link.Degraded && a.Board.Pool(Us1.Pool).PinnedRegion == "eu-west"
            && c.Overrides.Current.DrainedRegions.Contains("us-east"), Timeout, "a's drain and c's pin on both");
        Assert.Multiple(() =>
        {
            Assert.That(a.Overrides.Current.DrainedRegions, Does.Contain("us-east"), "the drain a knew was not wiped");
            Assert.That(c.Overrides.Current.DrainedRegions, Does.Contain("us-east"));
            Assert.That(c.Board.Pool(Us1.Pool).PinnedRegion, Is.EqualTo("eu-west"), "c's change made during the outage was kept");
        });
    }

    [Test]
    public async Task Without_Redis_the_in_memory_store_does_everything_for_one_instance()
    {
        await using var node = await StartAsync(null, "solo", Prefix);
        node.SetLocal(Us1, HealthStatus.Down);
        Assert.That(node.Slot(Us1).Usable, Is.False);
        var result = await node.Overrides.ApplyAsync(OverrideChange.Member(Us1, MemberOverride.ForceUp));
        Assert.That(result.Shared, Is.True);
        Assert.That(node.Slot(Us1).Usable, Is.True);
        Assert.That(node.View.Report().Mode, Is.EqualTo("memory"));
    }
}
