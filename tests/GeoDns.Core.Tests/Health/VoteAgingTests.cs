using GeoDns.Core.Health;
using Microsoft.Extensions.Time.Testing;

namespace GeoDns.Core.Tests.Health;

/// <summary>
/// Another instance's vote counts for a bounded time measured on this instance's own clock from
/// when this instance last saw it refreshed (its stamp changed), not from the stamp its writer put
/// in. Reads that stop (Redis unreachable) or that keep returning the same stamp (a silent writer)
/// let it age out, and then this instance's own verdict rules.
/// </summary>
public class VoteAgingTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly MemberKey Key = new("www.gtm.example.com.", "198.51.100.10");

    /// <summary>Check interval 2 s: a vote is fresh for 6 s.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private FakeTimeProvider _time = null!;
    private VoteTable _table = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(Start);
        _table = new VoteTable("a", _time);
        _table.SetMonitored([new MonitoredMember(Key, "eu-west", Quorum.Majority, Interval)]);
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private IReadOnlyList<string> Read(params Vote[] votes) => _table.ReplaceRemote(Key, votes);

    [Test]
    public void Freshness_of_this_member_is_six_seconds() =>
        Assert.That(_table.FreshnessOf(Key), Is.EqualTo(TimeSpan.FromSeconds(6)));

    [Test]
    public void Reads_stop_and_the_others_up_ages_out_so_the_own_down_verdict_wins()
    {
        // Last good read before Redis went away: b sees the member up.
        Read(new Vote("b", HealthStatus.Up, Now));
        // Then the backend dies; a's checker says down. Majority of two: a tie, which stays up.
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up));

        _time.Advance(TimeSpan.FromSeconds(5.9));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up), "b's vote is still fresh");

        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down), "b's vote is stale: a's own Down rules");
        Assert.That(_table.Evaluate(Key, HealthStatus.Up), Is.EqualTo(HealthStatus.Up), "and so does a's own Up");
        Assert.That(_table.Evaluate(Key, HealthStatus.Unknown), Is.EqualTo(HealthStatus.Unknown), "no fresh vote at all: serves");
    }

    [Test]
    public void Two_stale_ups_lose_to_the_own_down()
    {
        Read(new Vote("b", HealthStatus.Up, Now), new Vote("c", HealthStatus.Up, Now));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up), "two fresh ups outvote one down");
        _time.Advance(TimeSpan.FromSeconds(6.1));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down));
    }

    [Test]
    public void Reading_the_same_vote_again_does_not_refresh_it()
    {
        // Redis reachable, but b stopped re-asserting: every read returns the same stamp.
        var vote = new Vote("b", HealthStatus.Up, Now);
        for (int second = 0; second <= 6; second++)
        {
            Read(vote);
            Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up), $"at {second} s");
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Read(vote);
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down), "7 s after it was last refreshed");
    }

    [Test]
    public void A_vote_its_writer_keeps_re_asserting_stays_fresh()
    {
        for (int second = 0; second < 30; second++)
        {
            Read(new Vote("b", HealthStatus.Up, Now));
            _time.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up), "read 2 s ago: fresh");
        _time.Advance(TimeSpan.FromSeconds(4.1));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down));
    }

    [Test]
    public void A_writer_whose_clock_runs_an_hour_ahead_does_not_stay_fresh_for_an_hour()
    {
        Read(new Vote("b", HealthStatus.Up, Now.AddHours(1)));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up));
        _time.Advance(TimeSpan.FromSeconds(6.1));
        Read(new Vote("b", HealthStatus.Up, Start.AddHours(1)));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down));
    }

    [Test]
    public void A_writer_whose_clock_runs_behind_counts_from_its_next_refresh()
    {
        var skewed = Now.AddHours(-1);
        Read(new Vote("b", HealthStatus.Up, skewed));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down),
            "first seen with an hour-old stamp: nothing shows it is alive");

        _time.Advance(TimeSpan.FromSeconds(1));
        Read(new Vote("b", HealthStatus.Up, skewed.AddSeconds(1)));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up), "seen refreshed: fresh on our clock");
        _time.Advance(TimeSpan.FromSeconds(6.1));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down));
    }

    [Test]
    public void A_vote_seen_for_the_first_time_is_no_younger_than_its_stamp()
    {
        // A new instance reads a vote written 4 s ago: it counts for the 2 s left, not for 6 more.
        Read(new Vote("b", HealthStatus.Up, Now.AddSeconds(-4)));
        _time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up));
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down));
    }

    [Test]
    public void After_an_outage_a_stale_vote_counts_again_only_once_its_writer_re_asserts_it()
    {
        var before = new Vote("b", HealthStatus.Up, Now);
        Read(before);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down), "during the outage");

        // Redis is back but b is not yet: the same old stamp is read, and stays stale.
        Read(before);
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down), "reconnected, b still silent");

        // b re-publishes.
        Read(new Vote("b", HealthStatus.Up, Now));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up), "b re-asserted: a tie again");
    }

    [Test]
    public void A_changed_status_is_a_refresh()
    {
        var at = Now;
        Read(new Vote("b", HealthStatus.Up, at));
        _time.Advance(TimeSpan.FromSeconds(5));
        Read(new Vote("b", HealthStatus.Down, at)); // same stamp (same millisecond), other status
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.That(_table.Evaluate(Key, HealthStatus.Unknown), Is.EqualTo(HealthStatus.Down), "b's down, seen 5 s ago, still counts");
        _time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.That(_table.Evaluate(Key, HealthStatus.Unknown), Is.EqualTo(HealthStatus.Unknown));
    }

    [Test]
    public void Instances_silent_for_ten_freshness_windows_are_reported_for_deletion()
    {
        var vote = new Vote("b", HealthStatus.Up, Now);
        Read(vote);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(Read(vote), Is.Empty);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(Read(vote, new Vote("c", HealthStatus.Up, Now)), Is.EqualTo(new[] { "b" }));
        Assert.That(_table.IsFresh(Key, "b"), Is.False);
        Assert.That(_table.IsFresh(Key, "c"), Is.True);

        // The delete failed: read again, b is still stale (not new), and reported again.
        Assert.That(Read(vote, new Vote("c", HealthStatus.Up, Now)), Is.EqualTo(new[] { "b" }));
        Assert.That(_table.Evaluate(Key, HealthStatus.Unknown), Is.EqualTo(HealthStatus.Up));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up), "c and a tie; b does not count");

        // The delete went through: the next read no longer holds b.
        Read(new Vote("c", HealthStatus.Up, Now));
        Assert.That(_table.VotesFor(Key, HealthStatus.Unknown, Now).Select(v => v.Instance), Is.EqualTo(new[] { "c" }));
    }

    [Test]
    public void An_old_stamp_read_for_the_first_time_is_stale_but_reported_only_if_it_is_read_unchanged_again()
    {
        var old = new Vote("b", HealthStatus.Up, Now.AddMinutes(-5));
        Assert.That(Read(old), Is.Empty, "maybe a live writer whose clock runs behind");
        Assert.That(_table.IsFresh(Key, "b"), Is.False);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(Read(old), Is.EqualTo(new[] { "b" }), "unchanged: dead");

        var behind = new Vote("c", HealthStatus.Up, Now.AddMinutes(-5));
        Read(behind);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(Read(behind with { At = behind.At.AddSeconds(1) }), Is.Empty, "refreshed: alive");
        Assert.That(_table.IsFresh(Key, "c"), Is.True);
    }

    [Test]
    public void A_dead_writer_whose_clock_ran_ahead_is_not_revived_by_re_reads()
    {
        var vote = new Vote("b", HealthStatus.Up, Now.AddHours(1));
        for (int second = 0; second <= 120; second++)
        {
            Read(vote);
            _time.Advance(TimeSpan.FromSeconds(1));
            if (second >= 7)
            {
                Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down), $"at {second} s");
            }
        }
    }
}
