namespace GeoDns.Health;

/// <summary>
/// One clock for every probe: runners ask to be started after a delay, and a single tick, at most
/// once every <see cref="Tick"/>, starts all that are due together (on its own thread with the
/// system clock, on a timer of the given <see cref="TimeProvider"/> otherwise). Compared with one
/// timer per runner this wakes one thread at most once per tick instead of the thread pool once
/// per probe (at thousands of probes a second the per-probe wake-ups, and the spinning of the
/// threads they woke, cost more than the probes), at the price of up to one tick of lateness.
/// The thread sleeps until the first probe is due: with no probes (zones without health
/// checks) it never wakes, so a DNS server that checks nothing spends no CPU on it. It also keeps
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
    private readonly AutoResetEvent _wake = new(false);
    private readonly long _tickTimestamp;
    private readonly int _maxInFlight;

    /// <summary>When the tick thread will next wake (timestamp; long.MaxValue: not before a Schedule).</summary>
    private long _wakeAt = long.MaxValue;
    private int _inFlight;
    private int _ticking;
    private bool _starved;
    private bool _disposed;

    /// <param name="maxInFlight">Probes started and not yet <see cref="Release"/>d, at most.</param>
    public ProbeScheduler(TimeProvider time, int maxInFlight)
    {
        _time = time;
        _tickTimestamp = (long)(Tick.TotalSeconds * time.TimestampFrequency);
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
        bool wake;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _queue.Enqueue(runner, due);

            // Woken only when sleeping on would start this probe more than one tick late.
            wake = due + _tickTimestamp < _wakeAt;
        }

        if (wake && _timer is null)
        {
            _wake.Set();
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
        _wake.Set();
    }

    private void TickLoop()
    {
        long lastTick = 0;
        while (!Volatile.Read(ref _disposed))
        {
            int wait = MillisecondsToNextTick(lastTick);
            if (wait != 0)
            {
                // Woken early by Schedule (or Dispose): the next tick is worked out again.
                _wake.WaitOne(wait);
                continue;
            }

            lastTick = _time.GetTimestamp();
            StartDue();
        }
    }

    /// <summary>
    /// 0 when a tick is due now: the first probe is due and the last tick is one
    /// <see cref="Tick"/> old; otherwise how long to sleep (Infinite with nothing queued).
    /// </summary>
    private int MillisecondsToNextTick(long lastTick)
    {
        long now = _time.GetTimestamp();
        long wakeAt;
        lock (_lock)
        {
            if (!_queue.TryPeek(out _, out long due))
            {
                _wakeAt = long.MaxValue;
                return Timeout.Infinite;
            }

            wakeAt = Math.Max(due, lastTick + _tickTimestamp);
            _wakeAt = wakeAt;
        }

        return wakeAt <= now ? 0 : (int)Math.Ceiling((wakeAt - now) * 1000.0 / _time.TimestampFrequency);
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
