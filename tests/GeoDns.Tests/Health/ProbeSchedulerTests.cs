using System.Collections.Concurrent;
using GeoDns.Core.Health;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

[CancelAfter(20_000)]
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
        using var scheduler = new ProbeScheduler(TimeProvider.System, maxInFlight: 64);
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

    [Test]
    public async Task ADueProbeWaitingForASlotStartsAsSoonAsOneIsFreed(CancellationToken token)
    {
        // One slot, two members: the second probe waits while the first hangs. Completing the first
        // (continuations run inline) must start the second within that call, on this thread, not at
        // a later tick or through the thread pool.
        var checker = new GatedChecker();
        await using var rig = new HealthMonitorTests.Rig(checker, maxConcurrent: 1);
        rig.Monitor.Apply([HealthTestZones.Zone("fake", ["192.0.2.1", "192.0.2.2"], ("interval", "10s"), ("timeout", "5s"))]);
        while (checker.Started.IsEmpty)
        {
            await Task.Delay(5, token);
        }

        await Task.Delay(100, token); // ten ticks
        Assert.That(checker.Started, Has.Count.EqualTo(1), "the bound holds the second probe back");
        string first = checker.Started.Single();
        int thread = Environment.CurrentManagedThreadId;
        checker.Gates[first].SetResult(ProbeResult.Ok(TimeSpan.FromMilliseconds(1), "gated"));
        Assert.Multiple(() =>
        {
            Assert.That(checker.Started, Has.Count.EqualTo(2), "started by the freed slot");
            Assert.That(checker.StartThreads.Last(), Is.EqualTo(thread));
        });
    }

    /// <summary>Each probe hangs until the test completes its gate (continuations inline) or it is cancelled.</summary>
    private sealed class GatedChecker : IHealthChecker
    {
        public IReadOnlyCollection<CheckKind> Kinds { get; } = [HealthMonitorTests.FakeChecker.Kind];

        public ConcurrentQueue<string> Started { get; } = new();

        public ConcurrentQueue<int> StartThreads { get; } = new();

        public ConcurrentDictionary<string, TaskCompletionSource<ProbeResult>> Gates { get; } = new();

        public Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken cancellationToken)
        {
            var gate = new TaskCompletionSource<ProbeResult>();
            cancellationToken.Register(() => gate.TrySetCanceled(cancellationToken)); // the rig's stop
            Gates[target.Address] = gate;
            StartThreads.Enqueue(Environment.CurrentManagedThreadId);
            Started.Enqueue(target.Address);
            return gate.Task;
        }
    }
}
