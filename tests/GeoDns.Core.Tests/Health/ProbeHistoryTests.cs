using GeoDns.Core.Health;

namespace GeoDns.Core.Tests.Health;

public class ProbeHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Keeps_the_last_samples_oldest_first_and_the_last_error_after_recovery()
    {
        var history = new ProbeHistory();
        Assert.That(history.Samples(), Is.Empty);
        int total = ProbeHistory.Capacity + 7;
        for (int i = 0; i < total; i++)
        {
            var probe = i == total - 3
                ? ProbeResult.Fail(TimeSpan.FromMilliseconds(200), "port 80: connection refused")
                : ProbeResult.Ok(TimeSpan.FromMilliseconds(i), "ok");
            history.Record(Start.AddSeconds(i), probe);
        }

        var samples = history.Samples();
        Assert.Multiple(() =>
        {
            Assert.That(samples, Has.Length.EqualTo(ProbeHistory.Capacity));
            Assert.That(samples[0].At, Is.EqualTo(Start.AddSeconds(7)), "the oldest kept sample");
            Assert.That(samples[^1].At, Is.EqualTo(Start.AddSeconds(total - 1)));
            Assert.That(samples[^1].LatencyMs, Is.EqualTo(total - 1));
            Assert.That(samples.Select(s => s.At), Is.Ordered);
            Assert.That(samples.Count(s => !s.Success), Is.EqualTo(1));
            Assert.That(history.LastError, Is.EqualTo("port 80: connection refused"));
            Assert.That(history.LastErrorAt, Is.EqualTo(Start.AddSeconds(total - 3)));
        });
    }
}
