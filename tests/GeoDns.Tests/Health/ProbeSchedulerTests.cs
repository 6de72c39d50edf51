using System.Collections.Concurrent;
using GeoDns.Core.Health;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

[CancelAfter(20_000)]
public sealed class ProbeSchedulerTests
{
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
