using GeoDns.Health;

namespace GeoDns.Tests.Health;

[CancelAfter(10_000)]
public sealed class ProbeSchedulerTests
{
    /// <summary>
    /// A server whose zones check nothing must not pay for the health clock: the tick thread
    /// sleeps until a probe is scheduled (it used to wake every 10 ms, about 100 context
    /// switches a second on the DNS server's core). Counted from the thread's own
    /// voluntary context switches in /proc (Linux).
    /// </summary>
    [Test]
    public async Task TickThreadSleepsWhileNothingIsScheduled(CancellationToken token)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("counts context switches in /proc (Linux)");
        }

        var before = SchedulerThreads();
        using var scheduler = new ProbeScheduler(TimeProvider.System);
        string? thread = null;
        for (int i = 0; i < 50 && thread is null; i++)
        {
            thread = SchedulerThreads().Except(before).FirstOrDefault();
            await Task.Delay(10, token);
        }

        Assert.That(thread, Is.Not.Null, "the scheduler's tick thread was not found in /proc/self/task");
        long start = VoluntarySwitches(thread!);
        await Task.Delay(500, token);
        long woken = VoluntarySwitches(thread!) - start;

        Assert.That(woken, Is.LessThanOrEqualTo(2), "idle tick thread woke up (10 ms ticks would be ~50)");
    }

    private static string[] SchedulerThreads() =>
        [.. Directory.GetDirectories("/proc/self/task")
            .Where(t => ReadOrEmpty(Path.Combine(t, "comm")).StartsWith("health schedul", StringComparison.Ordinal))];

    private static long VoluntarySwitches(string thread) =>
        long.Parse(File.ReadLines(Path.Combine(thread, "status"))
            .First(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
            .Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }
}
