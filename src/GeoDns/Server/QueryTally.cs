using System.Diagnostics;
using GeoDns.Core;
using GeoDns.Core.Cookies;
using GeoDns.Core.Dns;
using GeoDns.Core.RateLimiting;
using GeoDns.Core.Traffic;

namespace GeoDns.Server;

/// <summary>
/// One listener thread's counts (see <see cref="DnsMetrics"/>): only its owner thread calls
/// <see cref="Start"/> and <see cref="Record"/>. Zones and pools are turned into label ids
/// through caches keyed by reference (the apex name, the pool's region table), so a query
/// costs a reference compare or one dictionary probe and a table increment. The caches hold
/// only those small objects, never a zone, and are emptied when reloads have filled them with
/// names no longer served.
/// </summary>
public sealed class QueryTally
{
    private readonly DnsMetrics _owner;
    private readonly KeyValuePair<string, object?> _transport;
    private readonly Dictionary<object, int> _zones = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<object, PoolIds> _pools = new(ReferenceEqualityComparer.Instance);
    private object? _lastZone;
    private int _lastZoneId;
    private object? _lastPool;
    private PoolIds? _lastPoolIds;
    private uint _sample;

    // Sampled answer build times, single producer (the owner thread) and single consumer (the drain).
    private readonly double[] _samples = new double[DnsMetrics.SampleRing];
    private long _written;
    private long _drained;

    internal QueryTally(DnsMetrics owner, bool overTcp)
    {
        _owner = owner;
        OverTcp = overTcp;
        _transport = new("network.transport", overTcp ? "tcp" : "udp");
    }

    public bool OverTcp { get; }

    /// <summary>Queries by (zone, type, RCODE, TC): see <see cref="Key"/>.</summary>
    internal CountTable Queries { get; } = new();

    /// <summary>Traffic decisions by (pool, region, reason): see <see cref="DecisionKey"/>.</summary>
    internal CountTable Decisions { get; } = new();

    /// <summary>Replies rate limiting slipped or dropped, indexed by <see cref="RateDecision"/> (Send unused).</summary>
    internal long[] RateLimited { get; } = new long[3];

    /// <summary>Queries by what their COOKIE option came to, indexed by <see cref="CookieOutcome"/> (None unused).</summary>
    internal long[] Cookies { get; } = new long[4];

    /// <summary>Call before processing a query: a timestamp when this query is sampled for the build-time histogram, else 0.</summary>
    public long Start() => ++_sample % DnsMetrics.SampleEvery == 0 ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Counts one processed query; <paramref name="started"/> is what <see cref="Start"/> returned.</summary>
    public void Record(in QueryOutcome outcome, long started)
    {
        if (started != 0)
        {
            Sample(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        // Plain stores, as in CountTable: this thread is the only writer.
        if (outcome.RateLimit != RateDecision.Send)
        {
            ref long limited = ref RateLimited[(int)outcome.RateLimit];
            Volatile.Write(ref limited, limited + 1);
        }

        if (outcome.Cookie != CookieOutcome.None)
        {
            ref long cookies = ref Cookies[(int)outcome.Cookie];
            Volatile.Write(ref cookies, cookies + 1);
        }

        if (outcome.ResponseCode < 0)
        {
            return; // nothing was sent
        }

        int zone = outcome.Zone is { } z ? ZoneId(z.Apex) : 0;
        Queries.Increment(Key(zone, DnsMetrics.TypeLabel(outcome.QType), outcome.ResponseCode, outcome.Truncated));
        if (outcome.Pool is { } pool)
        {
            var ids = PoolIdsOf(pool);
            int region = (uint)outcome.Region < (uint)ids.Regions.Length ? ids.Regions[outcome.Region] : 0;
            Decisions.Increment(DecisionKey(ids.Pool, region, outcome.Reason));
        }
    }

    /// <summary>Samples not yet drained are kept; when the ring is full a new one is dropped.</summary>
    private void Sample(double seconds)
    {
        long written = _written;
        if (written - Volatile.Read(ref _drained) >= _samples.Length)
        {
            return;
        }

        _samples[written & (_samples.Length - 1)] = seconds;
        Volatile.Write(ref _written, written + 1);
    }

    /// <summary>Moves the samples taken since the last drain into the histogram. One drainer at a time.</summary>
    internal void Drain(System.Diagnostics.Metrics.Histogram<double> histogram)
    {
        long drained = _drained;
        long written = Volatile.Read(ref _written);
        for (; drained < written; drained++)
        {
            histogram.Record(_samples[drained & (_samples.Length - 1)], _transport);
        }

        Volatile.Write(ref _drained, drained);
    }

    internal static long Key(int zone, ushort type, int rcode, bool truncated) =>
        ((long)zone << 32) | ((long)type << 16) | ((long)(rcode & 0xFF) << 8) | (truncated ? 2L : 0L) | 1L;

    internal static int ZoneOf(long key) => (int)(key >>> 32);

    internal static ushort TypeOf(long key) => (ushort)(key >>> 16);

    internal static int RcodeOf(long key) => (int)((key >>> 8) & 0xFF);

    internal static bool TruncatedOf(long key) => (key & 2L) != 0;

    internal static long DecisionKey(int pool, int region, DecisionReason reason) =>
        ((long)pool << 32) | ((long)(region & 0xFFFFFF) << 8) | ((long)reason << 1) | 1L;

    internal static (int Pool, int Region, DecisionReason Reason) DecisionOf(long key) =>
        ((int)(key >>> 32), (int)((key >>> 8) & 0xFFFFFF), (DecisionReason)((key >>> 1) & 0x7F));

    private int ZoneId(DnsName apex)
    {
        if (ReferenceEquals(apex, _lastZone))
        {
            return _lastZoneId;
        }

        if (!_zones.TryGetValue(apex, out int id))
        {
            Trim(_zones);
            id = _owner.Id(apex.ToString());
            _zones[apex] = id;
        }

        _lastZone = apex;
        _lastZoneId = id;
        return id;
    }

    private PoolIds PoolIdsOf(PoolModel pool)
    {
        // Keyed by the region table: region indices mean what that table says.
        object key = pool.Regions;
        if (ReferenceEquals(key, _lastPool))
        {
            return _lastPoolIds!;
        }

        if (!_pools.TryGetValue(key, out var ids))
        {
            Trim(_pools);
            ids = new PoolIds(_owner.Id(pool.Name), [.. pool.Regions.Select(r => _owner.Id(r.Name))]);
            _pools[key] = ids;
        }

        _lastPool = key;
        _lastPoolIds = ids;
        return ids;
    }

    /// <summary>Reloads leave entries for objects no longer served: start over once there are many more than names.</summary>
    private void Trim<T>(Dictionary<object, T> cache)
    {
        if (cache.Count > (2 * _owner.NameCount) + 256)
        {
            cache.Clear();
        }
    }

    private sealed record PoolIds(int Pool, int[] Regions);
}
