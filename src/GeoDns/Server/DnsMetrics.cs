using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using GeoDns.Core.Cookies;
using GeoDns.Core.RateLimiting;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Server;

/// <summary>
/// The query path's instruments (meter <see cref="MeterName"/>). Each listener thread counts
/// into its own <see cref="QueryTally"/> (plain stores into a table it alone writes: no lock, no
/// interlocked add, no allocation once its keys exist); observable counters add the tallies up
/// when an exporter collects. Answer build time is measured on one query in
/// <see cref="SampleEvery"/> per thread, written to the thread's ring of samples, and moved into
/// the histogram off the query path (every second and at each collection): the OpenTelemetry
/// SDK's own recording, which takes a lock per series, never runs on a listener thread.
/// </summary>
public sealed class DnsMetrics : IDisposable
{
    public const string MeterName = "GeoDns.Dns";

    /// <summary>One query in this many (per thread) has its answer build time measured.</summary>
    public const int SampleEvery = 16;

    /// <summary>Samples a thread keeps between drains (a power of two); more are dropped.</summary>
    internal const int SampleRing = 8192;

    private static readonly TimeSpan DrainEvery = TimeSpan.FromSeconds(1);

    /// <summary>The <c>dns.question.type</c> of a type GeoDns has no name for: one series, whatever a client sends.</summary>
    internal const ushort OtherType = 0xFFFF;

    /// <summary>Question types that get their own label; any other is <c>other</c>.</summary>
    private static readonly bool[] KnownTypes = BuildKnownTypes();

    private static readonly string[] RcodeNames =
        ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"];

    private readonly Meter _meter;
    private readonly Lock _lock = new();
    private readonly ThreadLocal<QueryTally> _tcp;
    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, string> _names = new();
    private readonly Lock _drainLock = new();
    private readonly Timer _drain;
    private QueryTally[] _tallies = [];
    private int _lastId;

    public DnsMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("dns.server.queries", ObserveQueries, "{query}",
            "DNS queries answered, by zone, question type, response code and transport");
        _meter.CreateObservableCounter("dns.server.responses.truncated", ObserveTruncated, "{response}",
            "Replies sent with TC=1 (the answer did not fit), by zone and transport");
        _meter.CreateObservableCounter("geodns.traffic.decisions", ObserveDecisions, "{decision}",
            "Answers of traffic-managed names, by pool, region of the first member chosen, and reason");
        _meter.CreateObservableCounter("geodns.rrl.responses", ObserveRateLimited, "{response}",
            "UDP replies response rate limiting did not send in full: slip (sent truncated, or BADCOOKIE to a query with a cookie) or drop");
        _meter.CreateObservableCounter("geodns.cookies", ObserveCookies, "{query}",
            "Queries with a DNS COOKIE option, by outcome: valid (never rate-limited), fresh (client cookie only) or bad (server cookie wrong or out of date), and transport");
        AnswerDuration = _meter.CreateHistogram("dns.server.answer.duration", "s",
            $"Time to build one reply from the request (parse, lookup, pool selection, write), one query in {SampleEvery} per thread",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1e-6, 2e-6, 4e-6, 8e-6, 16e-6, 32e-6, 64e-6, 128e-6, 256e-6, 1e-3, 1e-2] });
        _tcp = new ThreadLocal<QueryTally>(() => NewTally(overTcp: true));
        _drain = new Timer(_ => DrainSamples(), null, DrainEvery, DrainEvery);
    }

    internal Histogram<double> AnswerDuration { get; }

    /// <summary>The tally of the calling thread for TCP queries (TCP connections run on pool threads).</summary>
    public QueryTally Tcp => _tcp.Value!;

    /// <summary>A tally for one UDP listener thread: only that thread may record into it.</summary>
    public QueryTally NewUdpTally() => NewTally(overTcp: false);

    /// <summary>How many names have an id (tallies trim their caches past a multiple of it).</summary>
    internal int NameCount => Volatile.Read(ref _lastId);

    public void Dispose()
    {
        _drain.Dispose();
        _tcp.Dispose();
    }

    /// <summary>Moves every thread's sampled build times into the histogram (never on a listener thread).</summary>
    internal void DrainSamples()
    {
        lock (_drainLock)
        {
            foreach (var tally in Volatile.Read(ref _tallies))
            {
                tally.Drain(AnswerDuration);
            }
        }
    }

    /// <summary>The id of a zone, pool or region name (ids start at 1; 0 means none).</summary>
    internal int Id(string name) => _ids.GetOrAdd(name, static (n, self) =>
    {
        int id = Interlocked.Increment(ref self._lastId);
        self._names[id] = n;
        return id;
    }, this);

    internal static ushort TypeLabel(ushort qtype) => KnownTypes[qtype] ? qtype : OtherType;

    internal static string TypeName(ushort label) => label switch
    {
        0 => "none",
        OtherType => "other",
        _ => RecordTypes.Mnemonic(label),
    };

    internal static string RcodeName(int rcode) => rcode switch
    {
        >= 0 when rcode < RcodeNames.Length => RcodeNames[rcode],
        16 => "BADVERS",
        23 => "BADCOOKIE",
        _ => "RCODE" + rcode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private QueryTally NewTally(bool overTcp)
    {
        var tally = new QueryTally(this, overTcp);
        lock (_lock)
        {
            _tallies = [.. _tallies, tally];
        }

        return tally;
    }

    private string Name(int id) => id == 0 ? "none" : _names.GetValueOrDefault(id, "none");

    private static bool[] BuildKnownTypes()
    {
        var known = new bool[ushort.MaxValue + 1];
        foreach (var type in RecordTypes.All)
        {
            known[type.Code] = true;
        }

        known[OtherType] = false;
        return known;
    }

    private List<Measurement<long>> ObserveQueries()
    {
        // Observable instruments are read before the histogram is: it gets the latest samples.
        DrainSamples();
        var sums = new Dictionary<(int Zone, ushort Type, int Rcode, bool Tcp), long>();
        foreach (var tally in Volatile.Read(ref _tallies))
        {
            tally.Queries.ForEach((sums, tally.OverTcp), static (state, key, count) =>
                CollectionsMarshal.GetValueRefOrAddDefault(state.sums, (QueryTally.ZoneOf(key), QueryTally.TypeOf(key), QueryTally.RcodeOf(key), state.OverTcp), out _) += count);
        }

        return [.. sums.Select(s => new Measurement<long>(s.Value,
            new KeyValuePair<string, object?>("dns.zone", Name(s.Key.Zone)),
            new KeyValuePair<string, object?>("dns.question.type", TypeName(s.Key.Type)),
            new KeyValuePair<string, object?>("dns.response.code", RcodeName(s.Key.Rcode)),
            new KeyValuePair<string, object?>("network.transport", s.Key.Tcp ? "tcp" : "udp")))];
    }

    private List<Measurement<long>> ObserveTruncated()
    {
        var sums = new Dictionary<(int Zone, bool Tcp), long>();
        foreach (var tally in Volatile.Read(ref _tallies))
        {
            tally.Queries.ForEach((sums, tally.OverTcp), static (state, key, count) =>
            {
                if (QueryTally.TruncatedOf(key))
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(state.sums, (QueryTally.ZoneOf(key), state.OverTcp), out _) += count;
                }
            });
        }

        return [.. sums.Select(s => new Measurement<long>(s.Value,
            new KeyValuePair<string, object?>("dns.zone", Name(s.Key.Zone)),
            new KeyValuePair<string, object?>("network.transport", s.Key.Tcp ? "tcp" : "udp")))];
    }

    private IEnumerable<Measurement<long>> ObserveRateLimited()
    {
        var tallies = Volatile.Read(ref _tallies);
        foreach (var (decision, action) in new[] { (RateDecision.Slip, "slip"), (RateDecision.Drop, "drop") })
        {
            long sum = tallies.Sum(t => Volatile.Read(ref t.RateLimited[(int)decision]));
            yield return new Measurement<long>(sum, new KeyValuePair<string, object?>("geodns.rrl.action", action));
        }
    }

    private IEnumerable<Measurement<long>> ObserveCookies()
    {
        var tallies = Volatile.Read(ref _tallies);
        foreach (var (cookie, name) in new[] { (CookieOutcome.Valid, "valid"), (CookieOutcome.Fresh, "fresh"), (CookieOutcome.Bad, "bad") })
        {
            foreach (bool tcp in new[] { false, true })
            {
                long sum = tallies.Where(t => t.OverTcp == tcp).Sum(t => Volatile.Read(ref t.Cookies[(int)cookie]));
                yield return new Measurement<long>(sum,
                    new KeyValuePair<string, object?>("geodns.cookie.outcome", name),
                    new KeyValuePair<string, object?>("network.transport", tcp ? "tcp" : "udp"));
            }
        }
    }

    private List<Measurement<long>> ObserveDecisions()
    {
        var sums = new Dictionary<(int Pool, int Region, DecisionReason Reason), long>();
        foreach (var tally in Volatile.Read(ref _tallies))
        {
            tally.Decisions.ForEach(sums, static (state, key, count) =>
                CollectionsMarshal.GetValueRefOrAddDefault(state, QueryTally.DecisionOf(key), out _) += count);
        }

        return [.. sums.Select(s => new Measurement<long>(s.Value,
            new KeyValuePair<string, object?>("geodns.pool", Name(s.Key.Pool)),
            new KeyValuePair<string, object?>("geodns.region", Name(s.Key.Region)),
            new KeyValuePair<string, object?>("geodns.decision.reason", DecisionReasons.Name(s.Key.Reason))))];
    }
}
