using GeoDns.Core.Health;
using Microsoft.Extensions.Time.Testing;

namespace GeoDns.Core.Tests.Health;

public class VoteCombinerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(6);

    private static Vote V(string instance, HealthStatus status, double secondsAgo = 0) =>
        new(instance, status, Now.AddSeconds(-secondsAgo));

    [TestCase(Quorum.Any, 1, 0, HealthStatus.Up)]
    [TestCase(Quorum.Any, 1, 2, HealthStatus.Up)]
    [TestCase(Quorum.Any, 0, 3, HealthStatus.Down)]
    [TestCase(Quorum.All, 3, 0, HealthStatus.Up)]
    [TestCase(Quorum.All, 2, 1, HealthStatus.Down)]
    [TestCase(Quorum.All, 0, 1, HealthStatus.Down)]
    [TestCase(Quorum.Majority, 2, 1, HealthStatus.Up)]
    [TestCase(Quorum.Majority, 1, 2, HealthStatus.Down)]
    [TestCase(Quorum.Majority, 1, 1, HealthStatus.Up)]
    [TestCase(Quorum.Majority, 2, 2, HealthStatus.Up)]
    [TestCase(Quorum.Majority, 0, 1, HealthStatus.Down)]
    [TestCase(Quorum.Majority, 0, 0, HealthStatus.Unknown)]
    [TestCase(Quorum.Any, 0, 0, HealthStatus.Unknown)]
    [TestCase(Quorum.All, 0, 0, HealthStatus.Unknown)]
    public void Counts_combine_by_quorum(Quorum quorum, int up, int down, HealthStatus expected)
    {
        Assert.That(VoteCombiner.Combine(up, down, quorum), Is.EqualTo(expected));

        var votes = Enumerable.Range(0, up).Select(i => V($"u{i}", HealthStatus.Up))
            .Concat(Enumerable.Range(0, down).Select(i => V($"d{i}", HealthStatus.Down)));
        Assert.That(VoteCombiner.Combine(votes, quorum, Now, Window), Is.EqualTo(expected));
    }

    [Test]
    public void Stale_votes_do_not_count()
    {
        Vote[] votes = [V("a", HealthStatus.Up, 1), V("b", HealthStatus.Down, 7), V("c", HealthStatus.Down, 6.5)];
        Assert.That(VoteCombiner.Combine(votes, Quorum.All, Now, Window), Is.EqualTo(HealthStatus.Up));
        Assert.That(VoteCombiner.Combine(votes, Quorum.All, Now.AddSeconds(-2), Window), Is.EqualTo(HealthStatus.Down));
    }

    [Test]
    public void Only_stale_votes_give_unknown()
    {
        Vote[] votes = [V("a", HealthStatus.Down, 60)];
        Assert.That(VoteCombiner.Combine(votes, Quorum.Majority, Now, Window), Is.EqualTo(HealthStatus.Unknown));
    }

    [Test]
    public void Unknown_votes_are_abstentions()
    {
        Vote[] votes = [V("a", HealthStatus.Unknown), V("b", HealthStatus.Down)];
        Assert.That(VoteCombiner.Combine(votes, Quorum.Any, Now, Window), Is.EqualTo(HealthStatus.Down));
    }

    [Test]
    public void A_vote_from_the_future_counts()
    {
        Vote[] votes = [V("a", HealthStatus.Down, -3)];
        Assert.That(VoteCombiner.Combine(votes, Quorum.Majority, Now, Window), Is.EqualTo(HealthStatus.Down));
    }

    [Test]
    public void Freshness_is_three_intervals_at_least_one_second()
    {
        Assert.That(VoteCombiner.Freshness(TimeSpan.FromSeconds(2)), Is.EqualTo(TimeSpan.FromSeconds(6)));
        Assert.That(VoteCombiner.Freshness(TimeSpan.FromMilliseconds(100)), Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [TestCase(HealthStatus.Up, "up|1767268800000")]
    [TestCase(HealthStatus.Down, "down|1767268800000")]
    public void Votes_round_trip_through_their_stored_form(HealthStatus status, string text)
    {
        var vote = new Vote("a", status, Now);
        Assert.That(vote.Encode(), Is.EqualTo(text));
        Assert.That(Vote.TryDecode("a", text, out var back), Is.True);
        Assert.That(back, Is.EqualTo(vote));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("up")]
    [TestCase("up|")]
    [TestCase("maybe|1767268800000")]
    [TestCase("up|-5")]
    [TestCase("up|99999999999999999999")]
    [TestCase("|1")]
    public void Malformed_votes_are_rejected(string? text)
    {
        Assert.That(Vote.TryDecode("a", text, out _), Is.False);
    }
}

public class VoteTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly MemberKey Key = new("www.gtm.example.com.", "192.0.2.10");
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void SetUp() => _time = new FakeTimeProvider(Now);

    private VoteTable Table(Quorum quorum)
    {
        var table = new VoteTable("a", _time);
        table.SetMonitored([new MonitoredMember(Key, "us-east", quorum, TimeSpan.FromSeconds(2))]);
        return table;
    }

    /// <summary>The other instances' heartbeats, heard now.</summary>
    private static void HearAll(VoteTable table)
    {
        table.Heard("b");
        table.Heard("c");
    }

    [Test]
    public void Local_verdict_always_counts_and_own_remote_entry_is_ignored()
    {
        var table = Table(Quorum.All);
        table.ReplaceRemote(Key, [new Vote("a", HealthStatus.Down, Now), new Vote("b", HealthStatus.Up, Now)]);
        HearAll(table);
        Assert.That(table.Evaluate(Key, HealthStatus.Up), Is.EqualTo(HealthStatus.Up));
        Assert.That(table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down));
        Assert.That(table.VotesFor(Key, HealthStatus.Up, Now).Select(v => v.Instance), Is.EqualTo(new[] { "b", "a" }));
    }

    [TestCase(Quorum.Any, HealthStatus.Up)]
    [TestCase(Quorum.Majority, HealthStatus.Down)]
    [TestCase(Quorum.All, HealthStatus.Down)]
    public void Three_instances_one_sees_it_up(Quorum quorum, HealthStatus expected)
    {
        var table = Table(quorum);
        table.ReplaceRemote(Key, [new Vote("b", HealthStatus.Down, Now), new Vote("c", HealthStatus.Down, Now)]);
        HearAll(table);
        Assert.That(table.Evaluate(Key, HealthStatus.Up), Is.EqualTo(expected));
    }

    [Test]
    public void A_silent_instance_ages_out_after_three_intervals()
    {
        var table = Table(Quorum.All);
        table.ReplaceRemote(Key, [new Vote("b", HealthStatus.Down, Now)]);
        HearAll(table);
        _time.Advance(TimeSpan.FromSeconds(5.9));
        Assert.That(table.Evaluate(Key, HealthStatus.Up), Is.EqualTo(HealthStatus.Down));
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.That(table.Evaluate(Key, HealthStatus.Up), Is.EqualTo(HealthStatus.Up));
    }

    [Test]
    public void The_last_shared_view_ages_out_when_heartbeats_stop()
    {
        var table = Table(Quorum.Majority);
        table.ReplaceRemote(Key, [new Vote("b", HealthStatus.Up, Now), new Vote("c", HealthStatus.Up, Now)]);
        HearAll(table);
        Assert.That(table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up), "two fresh ups outvote the own down");

        // The store becomes unreachable: no more heartbeats. The others' votes count for 6 s on this
        // instance's clock, then its own verdict rules; the last shared view is not frozen.
        _time.Advance(TimeSpan.FromSeconds(5.9));
        Assert.That(table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up));
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.That(table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down));
        Assert.That(table.Evaluate(Key, HealthStatus.Up), Is.EqualTo(HealthStatus.Up));
    }

    [Test]
    public void No_votes_at_all_is_unknown()
    {
        var table = Table(Quorum.Majority);
        Assert.That(table.Evaluate(Key, HealthStatus.Unknown), Is.EqualTo(HealthStatus.Unknown));
    }

    [Test]
    public void Unmonitored_members_lose_their_votes()
    {
        var table = Table(Quorum.Majority);
        table.ReplaceRemote(Key, [new Vote("b", HealthStatus.Down, Now)]);
        HearAll(table);
        table.SetMonitored([]);
        Assert.That(table.VotesFor(Key, HealthStatus.Unknown, Now), Is.Empty);
        Assert.That(table.QuorumOf(Key), Is.EqualTo(Quorum.Majority));
        Assert.That(table.FreshnessOf(Key), Is.EqualTo(TimeSpan.FromSeconds(6)));
    }
}
