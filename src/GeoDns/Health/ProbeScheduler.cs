namespace GeoDns.Health;

/// <summary>
/// One clock for every probe: runners ask to be started after a delay, and a single tick every
/// <see cref="Tick"/> starts all that are due together (on its own thread with the system clock,
/// on a timer of the given <see cref="TimeProvider"/> otherwise). Compared with one timer per
/// runner this wakes one thread once per tick instead of the thread pool once per probe (at
/// thousands of probes a second the per-probe wake-ups, and the spinning of the threads they
/// woke, cost more than the probes), at the price of up to one tick of lateness. It also keeps
/// the global bound on probes in flight: a due probe that finds every slot taken stays queued,
/// first in line, and starts on the thread of the probe that frees a slot (or at the next tick),
/// never through a thread-pool hop as a semaphore's waiter would.
/// </summary>
internal sealed class ProbeScheduler : IDisposable
{
    /// <summary>The granularity of probe start times.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<ProbeRunner, long> _queue = new();
    private readonly List<ProbeRunner> _due = [];
    private readonly ITimer? _timer;
    private readonly int _maxInFlight;
    private int _inFlight;
    private int _ticking;
    private bool _starved;
    private bool _disposed;

    /// <param name="maxInFlight">Probes started and not yet <see cref="Release"/>d, at most.</param>
    public ProbeScheduler(TimeProvider time, int maxInFlight)
    {
        _time = time;
        _maxInFlight = Math.Max(1, maxInFlight);
        if (time == TimeProvider.System)
        {
            // Its own thread rather than a timer: a timer's callback runs on a thread-pool worker,
            // and waking one every tick set its idle siblings spinning (sched_yield) for work.
            _timer = null;
            new Thread(TickLoop) { IsBackground = true, Name = "health scheduler" }.Start();
        }
        else
        {
            _timer = time.CreateTimer(static s => ((ProbeScheduler)s!).StartDue(), this, Tick, Tick);
        }
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

    /// <summary>Probes started and not released yet.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Frees the slot of a probe this scheduler started (once per <see cref="ProbeRunner.StartProbe"/>);
    /// when a tick had to leave due probes waiting for a slot, starts them here.
    /// </summary>
    public void Release()
    {
        Interlocked.Decrement(ref _inFlight);
        if (Volatile.Read(ref _starved))
        {
            StartDue();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _queue.Clear();
        }

        _timer?.Dispose();
    }

    private void TickLoop()
    {
        while (!Volatile.Read(ref _disposed))
        {
            Thread.Sleep(Tick);
            StartDue();
        }
    }

    /// <summary>
    /// Starts the due probes on the tick's own thread, outside the lock, as many at a time as there
    /// are free slots: a probe runs synchronously only until its connect is under way (on
    /// loopback, often until it is done, and its slot is free again), so the tick itself is cheap,
    /// and no extra thread-pool item is queued per probe. A tick that finds the previous one still
    /// running leaves the work to it (and that one looks again if a slot was freed meanwhile).
    /// </summary>
    private void StartDue()
    {
        do
        {
            if (Interlocked.Exchange(ref _ticking, 1) == 1)
            {
                return;
            }

            try
            {
                StartDueNow();
            }
            finally
            {
                Volatile.Write(ref _ticking, 0);
            }
        }
        while (Volatile.Read(ref _starved) && Volatile.Read(ref _inFlight) < _maxInFlight);
    }

    private void StartDueNow()
    {
        long now = _time.GetTimestamp();
        while (true)
        {
            lock (_lock)
            {
                // Only this method adds to _inFlight (one tick at a time), so the free count can only grow meanwhile.
                int free = _maxInFlight - Volatile.Read(ref _inFlight);
                _due.Clear();
                while (_due.Count < free && _queue.TryPeek(out _, out long at) && at <= now)
                {
                    _due.Add(_queue.Dequeue());
                }

                Volatile.Write(ref _starved, _due.Count == free && _queue.TryPeek(out _, out long next) && next <= now);
            }

            if (_due.Count == 0)
            {
                break;
            }

            Interlocked.Add(ref _inFlight, _due.Count);
            foreach (var runner in _due)
            {
                runner.StartProbe();
            }
        }

        _due.Clear();
    }
}
