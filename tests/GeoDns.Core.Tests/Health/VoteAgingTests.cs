using GeoDns.Core.Health;
using Microsoft.Extensions.Time.Testing;

namespace GeoDns.Core.Tests.Health;

/// <summary>
/// Another instance's votes count while its heartbeat is fresh, measured on this instance's own
/// clock from when this instance last heard it, never from a stamp its writer put in. Heartbeats
/// that stop (the writer died, or Redis is unreachable) let every vote of that writer age out, and
/// then this instance's own verdict rules.
/// </summary>
public class VoteAgingTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly MemberKey Key = new("www.gtm.example.com.", "198.51.100.10");
    private static readonly MemberKey Other = new("www.gtm.example.com.", "198.51.100.11");

    /// <summary>Check interval 2 s: a heartbeat keeps votes fresh for 6 s.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private FakeTimeProvider _time = null!;
    private VoteTable _table = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(Start);
        _table = new VoteTable("a", _time);
        _table.SetMonitored(
        [
            new MonitoredMember(Key, "eu-west", Quorum.Majority, Interval),
            new MonitoredMember(Other, "eu-west", Quorum.Majority, Interval),
        ]);
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private void Read(params Vote[] votes) => _table.ReplaceRemote(Key, votes);

    [Test]
    public void Freshness_of_this_member_is_six_seconds() =>
        Assert.That(_table.FreshnessOf(Key), Is.EqualTo(TimeSpan.FromSeconds(6)));

    [Test]
    public void A_vote_read_from_an_instance_never_heard_does_not_count_until_its_heartbeat()
    {
        Read(new Vote("b", HealthStatus.Up, Now), new Vote("c", HealthStatus.Up, Now));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down), "b and c not heard yet");
        Assert.That(_table.IsFresh(Key, "b"), Is.False);

        _table.Heard("b");
        _table.Heard("c");
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up), "two fresh ups outvote the own down");
        Assert.That(_table.IsFresh(Key, "b"), Is.True);
    }

    [Test]
    public void Heartbeats_stop_and_the_others_up_ages_out_so_the_own_down_verdict_wins()
    {
        // Last heartbeat heard before Redis went away: b sees the member up.
        Read(new Vote("b", HealthStatus.Up, Now));
        _table.Heard("b");
        // Then the backend dies; a's checker says down. Majority of two: a tie, which stays up.
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up));

        _time.Advance(TimeSpan.FromSeconds(5.9));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Up), "b is still fresh");

        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.That(_table.Evaluate(Key, HealthStatus.Down), Is.EqualTo(HealthStatus.Down), "b is stale: a's own Down rules");
        Assert.That(_table.Evaluate(Key, HealthStatus.Up), Is.EqualTo(HealthStatus.Up), "and so does a's own Up");
        Assert.That(_table.Evaluate(Key, HealthStatus.Unknown), Is.EqualTo(HealthStatus.Unknown), "no fresh vote at all: serves");
    }

    [Test]
    public void A_heartbeat_keeps_every_vote_of_its_instance_fresh_without_rewriting_them()
    {
        Read(new Vote("b", HealthStatus.Down, Start));
        _table.ReplaceRemote(Other, [new Vote("b", HealthStatus.Down, Start)]);
        for (int i = 0; i < 10; i++)
        {
            _table.Heard("b");
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Multiple(() =>
        {
            Assert.That(_table.Evaluate(Key, HealthStatus.Unknown), Is.EqualTo(HealthStatus.Down), "50 s after its write, still counted");
            Assert.That(_table.Evaluate(Other, HealthStatus.Unknown), Is.EqualTo(HealthStatus.Down));
        });
    }

    [Test]
    public void A_writer_whose_clock_runs_an_hour_ahead_does_not_stay_fresh_for_an_hour()
    {
        Read(new Vote("b", HealthStatus.Down, Now + TimeSpan.FromHours(1)));
        _table.Heard("b");
        _time.Advance(TimeSpan.FromSeconds(6.1));
        Assert.That(_table.Evaluate(Key, HealthStatus.Up), Is.EqualTo(HealthStatus.Up));
    }

    [Test]
    public void A_writer_whose_clock_runs_behind_counts_while_heard()
    {
        Read(new Vote("b", HealthStatus.Down, Now - TimeSpan.FromHours(1)));
        _table.Heard("b");
        Assert.That(_table.Evaluate(Key, HealthStatus.Unknown), Is.EqualTo(HealthStatus.Down));
    }

    [Test]
    public void An_announced_change_replaces_the_vote_and_unknown_removes_it()
    {
        Read(new Vote("b", HealthStatus.Up, Now));
        _table.Heard("b");
        _table.SetRemote(Key, new Vote("b", HealthStatus.Down, Now));
        Assert.That(_table.VotesFor(Key, HealthStatus.Unknown, Now).Single().Status, Is.EqualTo(HealthStatus.Down));
        Assert.That(_table.Evaluate(Key, HealthStatus.Up), Is.EqualTo(HealthStatus.Up), "tie of two stays up");

        _table.SetRemote(Key, new Vote("b", HealthStatus.Unknown, Now));
        Assert.That(_table.VotesFor(Key, HealthStatus.Unknown, Now), Is.Empty);
    }

    [Test]
    public void After_an_outage_a_stale_vote_counts_again_once_its_writer_is_heard()
    {
        Read(new Vote("b", HealthStatus.Down, Now));
        _table.Heard("b");
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.That(_table.IsFresh(Key, "b"), Is.False, "stale while unheard");

        _table.Heard("b");
        Assert.That(_table.IsFresh(Key, "b"), Is.True);
    }

    [Test]
    public void Instances_silent_for_ten_freshness_windows_are_reported_with_their_members_and_forgotten()
    {
        Read(new Vote("b", HealthStatus.Up, Now), new Vote("c", HealthStatus.Up, Now));
        _table.ReplaceRemote(Other, [new Vote("b", HealthStatus.Up, Now)]);
        _table.Heard("b");
        _table.Heard("c");
        _time.Advance(TimeSpan.FromSeconds(59));
        _table.Heard("c");
        Assert.That(_table.SilentInstances(), Is.Empty, "59 s: not yet");

        _time.Advance(TimeSpan.FromSeconds(2));
        var silent = _table.SilentInstances();
        Assert.That(silent.Select(s => s.Instance), Is.EqualTo(new[] { "b" }));
        Assert.That(silent[0].Members, Is.EquivalentTo(new[] { Key, Other }));

        _table.Forget("b");
        Assert.That(_table.VotesFor(Key, HealthStatus.Unknown, Now).Select(v => v.Instance), Is.EqualTo(new[] { "c" }));
        Assert.That(_table.VotesFor(Other, HealthStatus.Unknown, Now), Is.Empty);
    }

    [Test]
    public void An_instance_never_heard_is_reported_ten_windows_after_it_was_first_read()
    {
        Read(new Vote("b", HealthStatus.Up, Now - TimeSpan.FromDays(3)));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.That(_table.SilentInstances(), Is.Empty);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.That(_table.SilentInstances().Select(s => s.Instance), Is.EqualTo(new[] { "b" }));
    }
}
