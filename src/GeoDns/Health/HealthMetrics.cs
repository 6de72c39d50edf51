using System.Diagnostics.Metrics;
using GeoDns.Core.Health;

namespace GeoDns.Health;

/// <summary>
/// Health instruments (meter <see cref="MeterName"/>): probe durations by check and result,
/// and, read from the <see cref="HealthBoard"/> and the shared state when collected, each
/// member's state, usability, drain and forced override, the drained regions, and the votes
/// known per instance.
/// </summary>
public sealed class HealthMetrics
{
    public const string MeterName = "GeoDns.Health";

    private static readonly string[] States = ["up", "down", "unknown"];

    private readonly Histogram<double> _probes;
    private readonly HealthBoard _board;
    private readonly ISharedStateView _view;

    public HealthMetrics(IMeterFactory meters, HealthBoard board, ISharedStateView view)
    {
        _board = board;
        _view = view;
        var meter = meters.Create(MeterName);
        _probes = meter.CreateHistogram("geodns.health.probe.duration", "s",
            "Health probes: how long each took, by check, kind and result (ok, failed, timeout); the count is the number of probes",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        meter.CreateObservableGauge("geodns.member.state", ObserveState, null,
            "1 for the member's health verdict (combined over the instances' votes), 0 for the other states: up, down, unknown (not probed yet, or not checked; serves)");
        meter.CreateObservableGauge("geodns.member.usable", () => Members(m => m.Usable ? 1 : 0), null,
            "1 when answers may hand the member out now (health, then drains and forced overrides applied)");
        meter.CreateObservableGauge("geodns.member.drained", () => Members(m => board.IsDrained(m.Region) ? 1 : 0), null,
            "1 when the member's region is drained by an operator");
        meter.CreateObservableGauge("geodns.member.forced", ObserveForced, null,
            "1 when an operator forced the member up or down (label geodns.member.override), 0 otherwise");
        meter.CreateObservableGauge("geodns.region.drained", ObserveRegions, null,
            "1 for each region an operator drained, 0 for the other regions members are in");
        meter.CreateObservableGauge("geodns.health.votes", ObserveVotes, "{vote}",
            "Member votes this instance knows, by the instance that cast them and their value (stale ones included until they are dropped)");
    }

    /// <summary>Records one probe of check <paramref name="check"/> (kind <paramref name="kind"/>).</summary>
    public void Probed(string check, string kind, ProbeResult result) =>
        _probes.Record(result.Latency.TotalSeconds,
            new KeyValuePair<string, object?>("geodns.check", check),
            new KeyValuePair<string, object?>("geodns.check.kind", kind),
            new KeyValuePair<string, object?>("geodns.probe.result", result.Success ? "ok" : result.TimedOut ? "timeout" : "failed"));

    private static string StateName(HealthStatus status) => status switch
    {
        HealthStatus.Up => "up",
        HealthStatus.Down => "down",
        _ => "unknown",
    };

    private static KeyValuePair<string, object?>[] MemberTags(MemberSlot member, params KeyValuePair<string, object?>[] more) =>
    [
        new("geodns.pool", member.Key.Pool),
        new("geodns.member", member.Key.Member),
        new("geodns.region", member.Region),
        .. more,
    ];

    private IEnumerable<Measurement<int>> Members(Func<MemberSlot, int> value) =>
        _board.Members.Select(m => new Measurement<int>(value(m), MemberTags(m)));

    private IEnumerable<Measurement<int>> ObserveState() =>
        _board.Members.SelectMany(m => States.Select(state => new Measurement<int>(StateName(m.Shared) == state ? 1 : 0,
            MemberTags(m, new KeyValuePair<string, object?>("geodns.member.state", state)))));

    private IEnumerable<Measurement<int>> ObserveForced() =>
        _board.Members.SelectMany(m => new[] { ("up", MemberOverride.ForceUp), ("down", MemberOverride.ForceDown) }
            .Select(f => new Measurement<int>(m.Override == f.Item2 ? 1 : 0,
                MemberTags(m, new KeyValuePair<string, object?>("geodns.member.override", f.Item1)))));

    private IEnumerable<Measurement<int>> ObserveRegions()
    {
        var drained = _board.DrainedRegions;
        return _board.Members.Select(m => m.Region).Concat(drained).Distinct(StringComparer.Ordinal)
            .Select(r => new Measurement<int>(drained.Contains(r) ? 1 : 0, new KeyValuePair<string, object?>("geodns.region", r)));
    }

    private IEnumerable<Measurement<int>> ObserveVotes() =>
        _board.Members.SelectMany(_view.VotesFor)
            .GroupBy(v => (v.Instance, StateName(v.Status)))
            .Select(g => new Measurement<int>(g.Count(),
                new KeyValuePair<string, object?>("geodns.instance", g.Key.Instance),
                new KeyValuePair<string, object?>("geodns.vote", g.Key.Item2)));
}
