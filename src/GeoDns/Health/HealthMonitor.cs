using GeoDns.Core.Health;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.Parsing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GeoDns.Health;

/// <summary>Settings of the health monitor (section <c>Health</c> of the configuration).</summary>
public sealed class HealthMonitorOptions
{
    /// <summary>Probes in flight at once, over all members.</summary>
    public int MaxConcurrentProbes { get; set; } = 64;
}

/// <summary>
/// Runs every (member, check) pair the loaded zones declare, from the first zone load on.
/// <see cref="Apply"/> (a load observer of the zone store) reconciles the running probes with the
/// zones: unchanged pairs keep their runner and verdict, new pairs start at once, vanished
/// pairs stop and their member reverts to Unknown (counts as up). Each verdict change is logged
/// once, written to the <see cref="HealthBoard"/> and published through the <see cref="IHealthStore"/>.
/// </summary>
public sealed class HealthMonitor : IHostedService, IAsyncDisposable
{
    /// <summary>Added to the longest timeout when bounding the wait for the first round.</summary>
    public static readonly TimeSpan FirstRoundSlack = TimeSpan.FromMilliseconds(100);

    private readonly CheckerRegistry _checkers;
    private readonly HealthBoard _board;
    private readonly IHealthStore _store;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger<HealthMonitor> _logger;
    private readonly HealthMetrics? _metrics;
    private readonly ProbeScheduler _scheduler;
    private readonly Lock _lock = new();
    private readonly Dictionary<(MemberKey, string), ProbeRunner> _runners = [];
    private readonly Dictionary<string, IReadOnlyList<ProbeTarget>> _byZone = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _firstRound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HashSet<ProbeRunner>? _firstRoundPending;
    private ITimer? _firstRoundBound;
    private bool _stopped;

    /// <param name="metrics">Where probe durations are recorded; null: not recorded.</param>
    /// <param name="random">
    /// Seeds each probe runner's own jitter source (default <see cref="Random.Shared"/>). Drawn
    /// from under the monitor's lock only, so a seeded, non-thread-safe <see cref="Random"/> is fine.
    /// </param>
    public HealthMonitor(CheckerRegistry checkers, HealthBoard board, IHealthStore store, TimeProvider time,
        ILogger<HealthMonitor> logger, HealthMonitorOptions? options = null, Random? random = null, HealthMetrics? metrics = null)
    {
        _metrics = metrics;
        _checkers = checkers;
        _board = board;
        _store = store;
        _time = time;
        _random = random ?? Random.Shared;
        _logger = logger;
        _scheduler = new ProbeScheduler(time, (options ?? new HealthMonitorOptions()).MaxConcurrentProbes);
    }

    /// <summary>
    /// Completes when every pair of the first zone load has had its first probe, or when the
    /// longest timeout (plus <see cref="FirstRoundSlack"/>) has passed, whichever comes first.
    /// The host answers traffic-managed names only after it, so the first answer is health-aware.
    /// </summary>
    public Task FirstRoundCompleted => _firstRound.Task;

    public int ProbeCount
    {
        get
        {
            lock (_lock)
            {
                return _runners.Count;
            }
        }
    }

    /// <summary>Reconciles probes with the zones just loaded. Zones with errors keep their previous probes.</summary>
    public void Apply(IReadOnlyList<ZoneFile> zones)
    {
        var errors = new List<ZoneDiagnostic>();
        var stopped = new List<ProbeRunner>();
        lock (_lock)
        {
            if (_stopped)
            {
                return;
            }

            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var zone in zones)
            {
                present.Add(zone.Origin.Key);
                if (!zone.HasErrors)
                {
                    _byZone[zone.Origin.Key] = ProbePlan.Build(zone, _checkers.CheckKinds, errors);
                }
            }

            foreach (var gone in _byZone.Keys.Where(k => !present.Contains(k)).ToList())
            {
                _byZone.Remove(gone);
            }

            var wanted = _byZone.Values.SelectMany(t => t).GroupBy(t => t.Id).ToDictionary(g => g.Key, g => g.First());
            foreach (var (id, runner) in _runners.Where(r => !wanted.TryGetValue(r.Key, out var t) || !SameProbe(r.Value.Target, t)).ToList())
            {
                _runners.Remove(id);
                stopped.Add(runner);
            }

            var started = new List<ProbeRunner>();
            foreach (var (id, target) in wanted)
            {
                if (_runners.TryGetValue(id, out var kept))
                {
                    kept.Update(target);
                    continue;
                }

                var runner = new ProbeRunner(target, _board.Member(target.Key, target.Region), _checkers, _time,
                    new Random(_random.Next()), _scheduler, OnTransition, OnFirstProbe, _metrics);
                _runners[id] = runner;
                started.Add(runner);
            }

            _store.SetMonitored(wanted.Values
                .Select(t => new MonitoredMember(t.Key, t.Region, t.Settings.Quorum, t.Settings.Interval))
                .ToList());
            if (_firstRoundPending is null)
            {
                BeginFirstRound(started);
            }

            foreach (var runner in started)
            {
                runner.Start();
            }

            _logger.LogInformation("Health checks: {Probes} members monitored ({Started} started, {Stopped} stopped)",
                _runners.Count, started.Count, stopped.Count);
        }

        foreach (var error in errors)
        {
            _logger.LogError("Health check not run: {Error}", error.ToString());
        }

        foreach (var runner in stopped)
        {
            _ = ForgetAsync(runner);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<ProbeRunner> runners;
        lock (_lock)
        {
            _stopped = true;
            runners = [.. _runners.Values];
            _runners.Clear();
            _firstRoundBound?.Dispose();
        }

        _firstRound.TrySetResult();
        await Task.WhenAll(runners.Select(r => r.StopAsync())).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _scheduler.Dispose();
    }

    /// <summary>Two targets probe the same thing: a kept pair keeps its verdict, another kind or address starts afresh.</summary>
    private static bool SameProbe(ProbeTarget a, ProbeTarget b) =>
        a.Settings.Kind == b.Settings.Kind && a.Address == b.Address && a.Settings.Port == b.Settings.Port;

    private void BeginFirstRound(List<ProbeRunner> runners)
    {
        _firstRoundPending = [.. runners];
        if (runners.Count == 0)
        {
            _firstRound.TrySetResult();
            return;
        }

        // The bound counts from when probing can start: after the checkers' one-off warm-up.
        var bound = runners.Max(r => r.Target.Settings.Timeout) + FirstRoundSlack;
        _checkers.WarmUp.ContinueWith(_ =>
        {
            lock (_lock)
            {
                if (_stopped || _firstRound.Task.IsCompleted)
                {
                    return;
                }

                _firstRoundBound = _time.CreateTimer(_ =>
                {
                    if (_firstRound.TrySetResult())
                    {
                        _logger.LogWarning("Health: first round of checks not finished within {Bound}; answering with the verdicts so far", bound);
                    }
                }, null, bound, Timeout.InfiniteTimeSpan);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnFirstProbe(ProbeRunner runner)
    {
        lock (_lock)
        {
            if (_firstRoundPending is { } pending && pending.Remove(runner) && pending.Count == 0)
            {
                _firstRoundBound?.Dispose();
                _firstRound.TrySetResult();
            }
        }
    }

    private void OnTransition(ProbeRunner runner, HealthTransition transition)
    {
        var target = runner.Target;
        HealthLog.Transition(_logger, transition.To == HealthStatus.Down ? LogLevel.Warning : LogLevel.Information,
            target.Key.Pool, target.Key.Member, target.Region, target.CheckName, transition.From, transition.To,
            transition.Reason, Math.Round(transition.Probe.Latency.TotalMilliseconds, 1));
        Publish(runner.Slot, transition.To, transition.At, transition.Reason);
    }

    private async Task ForgetAsync(ProbeRunner runner)
    {
        await runner.StopAsync().ConfigureAwait(false);
        bool replaced;
        lock (_lock)
        {
            replaced = _runners.Values.Any(r => r.Slot == runner.Slot);
        }

        if (!replaced && runner.Slot.Local != HealthStatus.Unknown)
        {
            HealthLog.NoLongerChecked(_logger, runner.Target.Key.Pool, runner.Target.Key.Member);
            Publish(runner.Slot, HealthStatus.Unknown, _time.GetUtcNow(), "no longer checked");
        }
    }

    private void Publish(MemberSlot slot, HealthStatus status, DateTimeOffset since, string reason)
    {
        try
        {
            slot.SetLocal(status, since, reason);
            _store.PublishLocal(slot);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Health store rejected the verdict for {Member}", slot.Key);
        }
    }
}
