using GeoDns.Core.Health;

namespace GeoDns.Health;

/// <summary>
/// Probes one (member, check) pair on its interval until stopped: jittered start-to-start
/// spacing, a slot in the global probe limit, the check's timeout, and the rise/fall state
/// machine. Verdict changes go to <paramref name="onTransition"/>; nothing here touches the
/// query path. Time comes from <paramref name="time"/> and the jitter from <paramref name="random"/>,
/// which the runner's loop alone uses.
/// </summary>
internal sealed class ProbeRunner
{
    /// <summary>Each interval is stretched or shrunk by up to this fraction so pairs drift apart.</summary>
    public const double Jitter = 0.1;

    private readonly CheckerRegistry _checkers;
    private readonly SemaphoreSlim _limit;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Action<ProbeRunner, HealthTransition> _onTransition;
    private readonly Action<ProbeRunner> _onFirstProbe;
    private readonly HealthMetrics? _metrics;
    private readonly CancellationTokenSource _stop = new();
    private volatile ProbeTarget _target;
    private Task _loop = Task.CompletedTask;

    public ProbeRunner(ProbeTarget target, MemberSlot slot, CheckerRegistry checkers, SemaphoreSlim limit, TimeProvider time,
        Random random, Action<ProbeRunner, HealthTransition> onTransition, Action<ProbeRunner> onFirstProbe, HealthMetrics? metrics = null)
    {
        _metrics = metrics;
        _target = target;
        Slot = slot;
        _checkers = checkers;
        _limit = limit;
        _time = time;
        _random = random;
        _onTransition = onTransition;
        _onFirstProbe = onFirstProbe;
        State = new MemberHealthState(target.Settings.Rise, target.Settings.Fall, time.GetUtcNow());
    }

    public ProbeTarget Target => _target;

    public MemberSlot Slot { get; }

    /// <summary>Read and written under a lock on the runner.</summary>
    public MemberHealthState State { get; }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Takes new settings from a reload; the verdict and counters stay.</summary>
    public void Update(ProbeTarget target)
    {
        lock (this)
        {
            _target = target;
            State.Rise = target.Settings.Rise;
            State.Fall = target.Settings.Fall;
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
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

    private async Task RunAsync(CancellationToken stopping)
    {
        await _checkers.WarmUp.WaitAsync(stopping).ConfigureAwait(false);
        bool first = true;
        while (!stopping.IsCancellationRequested)
        {
            long started = _time.GetTimestamp();
            ProbeResult result;
            await _limit.WaitAsync(stopping).ConfigureAwait(false);
            try
            {
                result = await ProbeOnceAsync(stopping).ConfigureAwait(false);
            }
            finally
            {
                _limit.Release();
            }

            stopping.ThrowIfCancellationRequested();
            var probed = _target;
            _metrics?.Probed(probed.CheckName, probed.Settings.Kind, result);
            HealthTransition? transition;
            var now = _time.GetUtcNow();
            Slot.Probes.Record(now, result);
            lock (this)
            {
                transition = State.Record(result, now);
            }

            if (transition is not null)
            {
                _onTransition(this, transition);
            }

            if (first)
            {
                first = false;
                _onFirstProbe(this);
            }

            var wait = NextInterval(_target.Settings.Interval, State.Pending, _random) - _time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, stopping).ConfigureAwait(false);
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
