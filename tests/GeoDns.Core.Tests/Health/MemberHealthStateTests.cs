using GeoDns.Core.Health;
using Microsoft.Extensions.Time.Testing;

namespace GeoDns.Core.Tests.Health;

public sealed class MemberHealthStateTests
{
    private static readonly ProbeResult Good = ProbeResult.Ok(TimeSpan.FromMilliseconds(2), "HTTP 200");
    private static readonly ProbeResult Bad = ProbeResult.Fail(TimeSpan.FromMilliseconds(1), "connection refused");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Test]
    public void StartsUnknownAndTheFirstProbeDecides()
    {
        var up = new MemberHealthState(rise: 3, fall: 3, _time.GetUtcNow());
        var down = new MemberHealthState(rise: 3, fall: 3, _time.GetUtcNow());
        Assert.That(up.Status, Is.EqualTo(HealthStatus.Unknown));

        _time.Advance(TimeSpan.FromMilliseconds(200));
        var toUp = up.Record(Good, _time.GetUtcNow());
        var toDown = down.Record(Bad, _time.GetUtcNow());

        Assert.Multiple(() =>
        {
            Assert.That(toUp, Is.Not.Null);
            Assert.That(toUp!.From, Is.EqualTo(HealthStatus.Unknown));
            Assert.That(toUp.To, Is.EqualTo(HealthStatus.Up));
            Assert.That(up.Since, Is.EqualTo(_time.GetUtcNow()));
            Assert.That(toDown!.To, Is.EqualTo(HealthStatus.Down));
            Assert.That(toDown.Reason, Does.Contain("connection refused"));
        });
    }

    [Test]
    public void UpFlipsDownOnlyAfterFallConsecutiveFailures()
    {
        var state = new MemberHealthState(rise: 2, fall: 3, _time.GetUtcNow());
        state.Record(Good, _time.GetUtcNow());
        var upSince = state.Since;

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(state.Record(Bad, _time.GetUtcNow()), Is.Null);
        Assert.That(state.Record(Bad, _time.GetUtcNow()), Is.Null);
        Assert.That(state.Status, Is.EqualTo(HealthStatus.Up));
        Assert.That(state.Since, Is.EqualTo(upSince));

        _time.Advance(TimeSpan.FromSeconds(1));
        var transition = state.Record(Bad, _time.GetUtcNow());
        Assert.Multiple(() =>
        {
            Assert.That(transition!.From, Is.EqualTo(HealthStatus.Up));
            Assert.That(transition.To, Is.EqualTo(HealthStatus.Down));
            Assert.That(transition.Reason, Does.StartWith("3 consecutive failures"));
            Assert.That(transition.Probe, Is.EqualTo(Bad));
            Assert.That(state.Since, Is.EqualTo(_time.GetUtcNow()));
        });
    }

    [Test]
    public void ASuccessResetsTheFailureCountSoOneLostProbeDoesNotFlap()
    {
        var state = new MemberHealthState(rise: 2, fall: 2, _time.GetUtcNow());
        state.Record(Good, _time.GetUtcNow());
        for (int i = 0; i < 10; i++)
        {
            Assert.That(state.Record(Bad, _time.GetUtcNow()), Is.Null);
            Assert.That(state.Record(Good, _time.GetUtcNow()), Is.Null);
        }

        Assert.That(state.Status, Is.EqualTo(HealthStatus.Up));
    }

    [Test]
    public void DownComesBackAfterRiseConsecutiveSuccesses()
    {
        var state = new MemberHealthState(rise: 2, fall: 2, _time.GetUtcNow());
        state.Record(Bad, _time.GetUtcNow());
        Assert.That(state.Record(Good, _time.GetUtcNow()), Is.Null);
        Assert.That(state.Record(Bad, _time.GetUtcNow()), Is.Null);
        Assert.That(state.Record(Good, _time.GetUtcNow()), Is.Null);

        _time.Advance(TimeSpan.FromMilliseconds(400));
        var transition = state.Record(Good, _time.GetUtcNow());
        Assert.Multiple(() =>
        {
            Assert.That(transition!.To, Is.EqualTo(HealthStatus.Up));
            Assert.That(transition.Reason, Does.StartWith("2 consecutive successes"));
            Assert.That(state.Since, Is.EqualTo(_time.GetUtcNow()));
        });
    }

    [Test]
    public void RiseAndFallChangedByAReloadApplyToTheNextProbes()
    {
        var state = new MemberHealthState(rise: 5, fall: 5, _time.GetUtcNow());
        state.Record(Good, _time.GetUtcNow());
        state.Fall = 1;
        Assert.That(state.Record(Bad, _time.GetUtcNow())?.To, Is.EqualTo(HealthStatus.Down));
    }

    [Test]
    public void AFirstProbeThatTimedOutIsAVerdictLikeAnyFailure()
    {
        // The rule changed: a timeout no longer leaves a first verdict Unknown (see FirstProbeTests).
        var timedOut = ProbeResult.Timeout(TimeSpan.FromMilliseconds(150), "timed out after 150 ms");
        var state = new MemberHealthState(rise: 2, fall: 2, _time.GetUtcNow());

        Assert.That(state.Record(timedOut, _time.GetUtcNow())?.To, Is.EqualTo(HealthStatus.Down));
        Assert.That(state.Reason, Does.StartWith("first probe failed"));
        Assert.That(state.Record(Good, _time.GetUtcNow()), Is.Null, "then rise=2 applies");
        Assert.That(state.Record(Good, _time.GetUtcNow())?.To, Is.EqualTo(HealthStatus.Up));
    }

    [Test]
    public void PendingWhileTheLastProbeDisagreesWithTheVerdict()
    {
        var state = new MemberHealthState(rise: 2, fall: 3, _time.GetUtcNow());
        Assert.That(state.Pending, Is.False);
        state.Record(Good, _time.GetUtcNow());
        Assert.That(state.Pending, Is.False);
        state.Record(Bad, _time.GetUtcNow());
        Assert.That(state.Pending, Is.True);
        state.Record(Good, _time.GetUtcNow());
        Assert.That(state.Pending, Is.False);
        state.Record(Bad, _time.GetUtcNow());
        state.Record(Bad, _time.GetUtcNow());
        state.Record(Bad, _time.GetUtcNow());
        Assert.That(state.Status, Is.EqualTo(HealthStatus.Down));
        Assert.That(state.Pending, Is.False);
        state.Record(Good, _time.GetUtcNow());
        Assert.That(state.Pending, Is.True);
    }

    [Test]
    public void RecordsTheLastProbe()
    {
        var state = new MemberHealthState(rise: 1, fall: 1, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(3));
        state.Record(Good, _time.GetUtcNow());
        Assert.Multiple(() =>
        {
            Assert.That(state.LastProbe, Is.EqualTo(Good));
            Assert.That(state.LastProbeAt, Is.EqualTo(_time.GetUtcNow()));
            Assert.That(state.Successes, Is.EqualTo(1));
        });
    }
}
