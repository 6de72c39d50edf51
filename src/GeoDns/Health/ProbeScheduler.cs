namespace GeoDns.Health;

/// <summary>
/// One clock for every probe: runners ask to be started after a delay, and a single timer
/// ticking every <see cref="Tick"/> starts all that are due together. Compared with one timer
/// per runner this wakes the thread pool once per tick instead of once per probe (at thousands
/// of probes a second the per-probe wake-ups, and the spinning of the threads they woke, cost
/// more than the probes), at the price of up to one tick of lateness.
/// </summary>
internal sealed class ProbeScheduler : IDisposable
{
    /// <summary>The granularity of probe start times.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<ProbeRunner, long> _queue = new();
    private readonly List<ProbeRunner> _due = [];
    private readonly ITimer _timer;
    private bool _disposed;

    public ProbeScheduler(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(static s => ((ProbeScheduler)s!).StartDue(), this, Tick, Tick);
    }

    /// <summary>Starts <paramref name="runner"/>'s next probe once <paramref name="delay"/> has passed (at the first tick after).</summary>
    public void Schedule(ProbeRunner runner, TimeSpan delay)
    {
        long due = _time.GetTimestamp() + (long)(Math.Max(0, delay.TotalSeconds) * _time.TimestampFrequency);
        lock (_lock)
        {
            if (!_disposed)
            {
                _queue.Enqueue(runner, due);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _queue.Clear();
        }

        _timer.Dispose();
    }

    private void StartDue()
    {
        long now = _time.GetTimestamp();
        List<ProbeRunner> due;
        lock (_lock)
        {
            // The list is reused: ticks do not overlap in practice, and one that does waits here.
            due = _due;
            due.Clear();
            while (_queue.TryPeek(out var runner, out long at) && at <= now)
            {
                _queue.Dequeue();
                due.Add(runner);
            }

            foreach (var runner in due)
            {
                runner.StartProbe();
            }
        }
    }
}
