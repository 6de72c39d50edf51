namespace GeoDns.Core.Health;

/// <summary>One probe as the status page draws it: when, how long, whether it passed.</summary>
public readonly record struct ProbeSample(DateTimeOffset At, double LatencyMs, bool Success);

/// <summary>
/// The last <see cref="Capacity"/> probes of one member (any of its checks) and its last error,
/// for the admin API's latency column and sparkline. Bounded ring; written by the probe runners,
/// read by the admin API, never by the query path.
/// </summary>
public sealed class ProbeHistory
{
    public const int Capacity = 60;

    private readonly Lock _lock = new();
    private readonly ProbeSample[] _ring = new ProbeSample[Capacity];
    private int _next;
    private int _count;

    /// <summary>The detail of the last failed probe, kept after the member recovers.</summary>
    public string? LastError { get; private set; }

    public DateTimeOffset? LastErrorAt { get; private set; }

    public void Record(DateTimeOffset at, ProbeResult probe)
    {
        lock (_lock)
        {
            _ring[_next] = new ProbeSample(at, Math.Round(probe.Latency.TotalMilliseconds, 2), probe.Success);
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
            if (!probe.Success)
            {
                LastError = probe.Detail;
                LastErrorAt = at;
            }
        }
    }

    /// <summary>The kept probes, oldest first.</summary>
    public ProbeSample[] Samples()
    {
        lock (_lock)
        {
            var samples = new ProbeSample[_count];
            int start = (_next - _count + Capacity) % Capacity;
            for (int i = 0; i < _count; i++)
            {
                samples[i] = _ring[(start + i) % Capacity];
            }

            return samples;
        }
    }
}
