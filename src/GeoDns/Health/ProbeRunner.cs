using System.Runtime.CompilerServices;
using GeoDns.Core.Health;

namespace GeoDns.Health;

/// <summary>
/// Probes one (member, check) pair on its interval until stopped: jittered start-to-start
/// spacing kept by the shared <see cref="ProbeScheduler"/>, a slot in the global probe limit, the
/// check's timeout, and the rise/fall state machine. Verdict changes go to
/// <paramref name="onTransition"/>; nothing here touches the query path. Time comes from
/// <paramref name="time"/> and the jitter from <paramref name="random"/>, which only this runner's
/// probes use (one at a time). A probe allocates little: the timeout's
/// <see cref="CancellationTokenSource"/> is reset and reused, and no timer is made per probe.
/// </summary>
internal sealed class ProbeRunner
{
    /// <summary>Each interval is stretched or shrunk by up to this fraction so pairs drift apart.</summary>
    public const double Jitter = 0.1;

    private readonly CheckerRegistry _checkers;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ProbeScheduler _scheduler;
    private readonly Action<ProbeRunner, HealthTransition> _onTransition;
    private readonly Action<ProbeRunner> _onFirstProbe;
    private readonly HealthMetrics? _metrics;
    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenSource _timeout;
    private volatile ProbeTarget _target;
    private Task _current = Task.CompletedTask;
    private bool _first = true;

    public ProbeRunner(ProbeTarget target, MemberSlot slot, CheckerRegistry checkers, TimeProvider time,
        Random random, ProbeScheduler scheduler, Action<ProbeRunner, HealthTransition> onTransition, Action<ProbeRunner> onFirstProbe,
        HealthMetrics? metrics = null)
    {
        _metrics = metrics;
        _target = target;
        Slot = slot;
        _checkers = checkers;
        _time = time;
        _random = random;
        _scheduler = scheduler;
        _onTransition = onTransition;
        _onFirstProbe = onFirstProbe;
        _timeout = NewTimeoutSource();
        _stop.Token.UnsafeRegister(static s => ((ProbeRunner)s!).CancelProbe(), this);
        State = new MemberHealthState(target.Settings.Rise, target.Settings.Fall, time.GetUtcNow());
    }

    public ProbeTarget Target => _target;

    public MemberSlot Slot { get; }

    /// <summary>Read and written under a lock on the runner.</summary>
    public MemberHealthState State { get; }

    /// <summary>Probes for the first time once the checkers are warmed up.</summary>
    public void Start() => _checkers.WarmUp.ContinueWith(static (_, s) =>
    {
        var runner = (ProbeRunner)s!;
        runner._scheduler.Schedule(runner, TimeSpan.Zero);
    }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Takes new settings from a reload; the verdict and counters stay.</summary>
    public void Update(ProbeTarget target)
    {
        ProbeTarget old;
        lock (this)
        {
            old = _target;
            _target = target;
            State.Rise = target.Settings.Rise;
            State.Fall = target.Settings.Fall;
        }

        if (!ReferenceEquals(old, target))
        {
            Forget(old);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task current;
        lock (this)
        {
            current = _current;
        }

        try
        {
            await current.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Forget(_target);
    }

    /// <summary>Lets the checker drop what it kept for <paramref name="target"/> (an open connection).</summary>
    private void Forget(ProbeTarget target)
    {
        if (_checkers.TryGet(target.Settings.Kind, out var checker))
        {
            checker.Forget(target);
        }
    }

    /// <summary>One probe with the check's timeout; failures of any kind become a failed result.</summary>
    public Task<ProbeResult> ProbeOnceAsync(CancellationToken stopping)
    {
        var target = _target;
        return ProbeAsync(_checkers.TryGet(target.Settings.Kind, out var checker) ? checker : null, target, _time, stopping);
    }

    /// <summary>
    /// Runs <paramref name="checker"/> on <paramref name="target"/> within the check's timeout.
    /// Throws only when <paramref name="stopping"/> is cancelled; a timeout or an exception is a failed probe.
    /// </summary>
    public static async Task<ProbeResult> ProbeAsync(IHealthChecker? checker, ProbeTarget target, TimeProvider time, CancellationToken stopping)
    {
        long start = time.GetTimestamp();
        if (checker is null)
        {
            return ProbeResult.Fail(TimeSpan.Zero, $"no checker for kind '{target.Settings.Kind}'");
        }

        using var timeout = new CancellationTokenSource(target.Settings.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        try
        {
            return await checker.ProbeAsync(target, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return ProbeResult.Timeout(time.GetElapsedTime(start), $"timed out after {ProbeAddress.Milliseconds(target.Settings.Timeout)}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ProbeResult.Fail(time.GetElapsedTime(start), ProbeAddress.Describe(e));
        }
    }

    /// <summary>
    /// Called by the scheduler when the next probe is due, with a slot of the global limit taken
    /// for it: starts it without waiting for it; the slot is released when it ends.
    /// </summary>
    internal void StartProbe()
    {
        if (_stop.IsCancellationRequested)
        {
            _scheduler.Release();
            return;
        }

        var probe = RunOnceAsync();
        if (!probe.IsCompleted)
        {
            lock (this)
            {
                _current = probe;
            }
        }
    }

    private async Task RunOnceAsync()
    {
        long started = _time.GetTimestamp();
        var stopping = _stop.Token;
        ProbeResult result;
        var probed = _target;
        try
        {
            result = await ProbeWithTimeoutAsync(probed).ConfigureAwait(false);
        }
        finally
        {
            _scheduler.Release();
        }

        // A reload replaced the target while this probe ran (or just before it began): what the
        // checker kept for the old one, after Update had let it go, is let go again.
        if (!ReferenceEquals(probed, _target))
        {
            Forget(probed);
        }

        if (stopping.IsCancellationRequested)
        {
            return;
        }

        _metrics?.Probed(probed.CheckName, probed.Settings.Kind, result);
        HealthTransition? transition;
        var now = _time.GetUtcNow();
        Slot.Probes.Record(now, result);
        bool pending;
        lock (this)
        {
            transition = State.Record(result, now);
            pending = State.Pending;
        }

        if (transition is not null)
        {
            _onTransition(this, transition);
        }

        if (_first)
        {
            _first = false;
            _onFirstProbe(this);
        }

        // The finished probe's task is not kept until the next probe: held that long, it (and what
        // it references) would be promoted by the young-generation collections in between.
        lock (this)
        {
            _current = Task.CompletedTask;
        }

        _scheduler.Schedule(this, NextInterval(_target.Settings.Interval, pending, _random) - _time.GetElapsedTime(started));
    }

    /// <summary>
    /// As <see cref="ProbeAsync"/>, with this runner's reusable timeout source (reset after each
    /// probe); a value task, so a probe that ends within the call allocates no task here.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ProbeResult> ProbeWithTimeoutAsync(ProbeTarget target)
    {
        long start = _time.GetTimestamp();
        if (!_checkers.TryGet(target.Settings.Kind, out var checker))
        {
            return ProbeResult.Fail(TimeSpan.Zero, $"no checker for kind '{target.Settings.Kind}'");
        }

        var timeout = _timeout;
        try
        {
            // The timer is armed only when the probe goes asynchronous: one that finishes within
            // the call (a loopback connect, a refusal) cannot be cancelled anyway, and arming and
            // resetting a timer per probe is a measurable part of a probe's cost.
            var probe = checker.ProbeAsync(target, timeout.Token);
            if (!probe.IsCompleted)
            {
                var left = target.Settings.Timeout - _time.GetElapsedTime(start);
                timeout.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }

            return await probe.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            return ProbeResult.Timeout(_time.GetElapsedTime(start), $"timed out after {ProbeAddress.Milliseconds(target.Settings.Timeout)}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return ProbeResult.Fail(_time.GetElapsedTime(start), ProbeAddress.Describe(e));
        }
        finally
        {
            if (!timeout.TryReset())
            {
                // Fired (a timeout, or stopping): a cancelled source cannot be reused.
                lock (this)
                {
                    _timeout = NewTimeoutSource();
                }

                timeout.Dispose();
            }
        }
    }

    private CancellationTokenSource NewTimeoutSource()
    {
        var source = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        if (_stop.IsCancellationRequested)
        {
            source.Cancel();
        }

        return source;
    }

    /// <summary>Stopping cancels the probe in flight.</summary>
    private void CancelProbe()
    {
        lock (this)
        {
            try
            {
                _timeout.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>
    /// The jittered interval; half of it while a flip is pending (HAProxy's "fastinter"), so a
    /// dead member is confirmed dead, or a revived one alive, sooner without probing faster in
    /// steady state.
    /// </summary>
    internal static TimeSpan NextInterval(TimeSpan interval, bool pending, Random random)
    {
        var spacing = pending ? interval / 2 : interval;
        return spacing * (1 + (((random.NextDouble() * 2) - 1) * Jitter));
    }
}
