namespace GeoDns.Core.Health;

/// <summary>
/// What one probe found. A value, not an object: thousands of probes a second each leave their
/// result in their member's state until the next probe, and objects kept that long would be
/// promoted by every young-generation collection.
/// </summary>
public readonly record struct ProbeResult(bool Success, TimeSpan Latency, string Detail)
{
    public static ProbeResult Ok(TimeSpan latency, string detail) => new(true, latency, detail);

    public static ProbeResult Fail(TimeSpan latency, string error) => new(false, latency, error);

    /// <summary>No answer within the check's timeout (a failure like any other, the first probe's included).</summary>
    public static ProbeResult Timeout(TimeSpan latency, string error) => new(false, latency, error) { TimedOut = true };

    public bool TimedOut { get; init; }
}

/// <summary>A verdict change: one structured log line, one board update.</summary>
public sealed record HealthTransition(HealthStatus From, HealthStatus To, DateTimeOffset At, string Reason, ProbeResult Probe);

/// <summary>
/// The rise/fall state machine of one (member, check) pair. The first probe's result stands
/// until rise/fall have history: Unknown -> Up on a success, Unknown -> Down on any failure, a
/// timeout included (a black-holed backend must not be served from the first answer on), so
/// the first round of checks already decides what is answered. After that a member flips only after
/// <see cref="Fall"/> consecutive failures (Up -> Down) or <see cref="Rise"/> consecutive
/// successes (Down -> Up), which keeps one lost probe from flapping the answer.
/// Pure: the caller supplies the time.
/// </summary>
public sealed class MemberHealthState
{
    public MemberHealthState(int rise, int fall, DateTimeOffset now)
    {
        Rise = rise;
        Fall = fall;
        Since = now;
    }

    /// <summary>Consecutive successes that bring a Down member up (settable: a reload may change it).</summary>
    public int Rise { get; set; }

    /// <summary>Consecutive failures that take an Up member down.</summary>
    public int Fall { get; set; }

    public HealthStatus Status { get; private set; }

    public DateTimeOffset Since { get; private set; }

    public string Reason { get; private set; } = "no probe yet";

    public int Successes { get; private set; }

    public int Failures { get; private set; }

    public ProbeResult? LastProbe { get; private set; }

    /// <summary>True while the last probe disagrees with the verdict (a flip may be coming).</summary>
    public bool Pending => LastProbe is { } last && (Status == HealthStatus.Down ? last.Success : !last.Success);

    public DateTimeOffset? LastProbeAt { get; private set; }

    /// <summary>Counts one probe; returns the transition it causes, if any.</summary>
    public HealthTransition? Record(ProbeResult probe, DateTimeOffset now)
    {
        LastProbe = probe;
        LastProbeAt = now;
        if (probe.Success)
        {
            Successes++;
            Failures = 0;
            return Status switch
            {
                HealthStatus.Unknown => Move(HealthStatus.Up, now, $"first probe succeeded: {probe.Detail}", probe),
                HealthStatus.Down when Successes >= Rise => Move(HealthStatus.Up, now, $"{Successes} consecutive successes: {probe.Detail}", probe),
                _ => null,
            };
        }

        Failures++;
        Successes = 0;
        return Status switch
        {
            HealthStatus.Unknown => Move(HealthStatus.Down, now, $"first probe failed: {probe.Detail}", probe),
            HealthStatus.Up when Failures >= Fall => Move(HealthStatus.Down, now, $"{Failures} consecutive failures: {probe.Detail}", probe),
            _ => null,
        };
    }

    private HealthTransition Move(HealthStatus to, DateTimeOffset now, string reason, ProbeResult probe)
    {
        var transition = new HealthTransition(Status, to, now, reason, probe);
        Status = to;
        Since = now;
        Reason = reason;
        return transition;
    }
}
