using GeoDns.Core.Health;
using Microsoft.Extensions.Time.Testing;

namespace GeoDns.Core.Tests.Health;

/// <summary>
/// The first probe's result stands, whatever kind of failure it was (a timeout included): a
/// black-holed member is Down from the first verdict on. Rise/fall apply from then on.
/// </summary>
public sealed class FirstProbeTests
{
    private static readonly ProbeResult Good = ProbeResult.Ok(TimeSpan.FromMilliseconds(2), "connected");
    private static readonly ProbeResult TimedOut = ProbeResult.Timeout(TimeSpan.FromMilliseconds(500), "timed out after 500 ms");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [TestCase(1, 1)]
    [TestCase(2, 2)]
    [TestCase(5, 3)]
    public void AFirstProbeThatTimedOutIsDown(int rise, int fall)
    {
        var state = new MemberHealthState(rise, fall, _time.GetUtcNow());
        var transition = state.Record(TimedOut, _time.GetUtcNow());
        Assert.Multiple(() =>
        {
            Assert.That(transition, Is.Not.Null, "the first probe decides");
            Assert.That(transition?.From, Is.EqualTo(HealthStatus.Unknown));
            Assert.That(transition?.To, Is.EqualTo(HealthStatus.Down));
            Assert.That(state.Status, Is.EqualTo(HealthStatus.Down));
            Assert.That(state.Reason, Does.StartWith("first probe failed").And.Contain("timed out"));
            Assert.That(state.Pending, Is.False, "the last probe agrees with the verdict");
        });
    }

    [Test]
    public void AfterAFirstTimeoutRiseApplies()
    {
        var state = new MemberHealthState(rise: 2, fall: 2, _time.GetUtcNow());
        state.Record(TimedOut, _time.GetUtcNow());
        Assert.That(state.Record(Good, _time.GetUtcNow()), Is.Null, "one success is not rise=2");
        Assert.That(state.Status, Is.EqualTo(HealthStatus.Down));
        Assert.That(state.Pending, Is.True);
        Assert.That(state.Record(Good, _time.GetUtcNow())?.To, Is.EqualTo(HealthStatus.Up));
        Assert.That(state.Reason, Does.StartWith("2 consecutive successes"));
    }

    [Test]
    public void AfterAFirstSuccessFallAppliesToTimeoutsToo()
    {
        var state = new MemberHealthState(rise: 2, fall: 3, _time.GetUtcNow());
        Assert.That(state.Record(Good, _time.GetUtcNow())?.To, Is.EqualTo(HealthStatus.Up));
        Assert.That(state.Record(TimedOut, _time.GetUtcNow()), Is.Null);
        Assert.That(state.Record(TimedOut, _time.GetUtcNow()), Is.Null);
        Assert.That(state.Status, Is.EqualTo(HealthStatus.Up));
        Assert.That(state.Record(TimedOut, _time.GetUtcNow())?.To, Is.EqualTo(HealthStatus.Down));
        Assert.That(state.Reason, Does.StartWith("3 consecutive failures"));
    }
}
