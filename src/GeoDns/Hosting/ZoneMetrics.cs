using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using GeoDns.Core;

namespace GeoDns.Hosting;

/// <summary>
/// Zone loading instruments (meter <see cref="MeterName"/>): loads by zone and result, and, read
/// from the served snapshot when collected, each zone's serial and record count, and whether its
/// file failed to load last time (it then serves its previous version, or nothing).
/// </summary>
public sealed class ZoneMetrics
{
    public const string MeterName = "GeoDns.Zones";

    private readonly Counter<long> _loads;
    private readonly ConcurrentDictionary<string, bool> _failing = new(StringComparer.Ordinal);

    public ZoneMetrics(IMeterFactory meters, QueryProcessor processor)
    {
        var meter = meters.Create(MeterName);
        _loads = meter.CreateCounter<long>("geodns.zone.loads", "{load}", "Zone file loads, by zone and result (ok, failed)");
        meter.CreateObservableGauge("geodns.zone.serial", () => processor.Snapshot.Zones.Select(z =>
            new Measurement<long>(z.Serial, new KeyValuePair<string, object?>("dns.zone", z.Apex.ToString()))), null,
            "SOA serial of the zone being served");
        meter.CreateObservableGauge("geodns.zone.records", () => processor.Snapshot.Zones.Select(z =>
            new Measurement<long>(z.RecordCount, new KeyValuePair<string, object?>("dns.zone", z.Apex.ToString()))), "{record}",
            "Records of the zone being served");
        meter.CreateObservableGauge("geodns.zone.load.failing", () => _failing.Select(f =>
            new Measurement<int>(f.Value ? 1 : 0, new KeyValuePair<string, object?>("dns.zone", f.Key))), null,
            "1 while the zone's file fails to load (the previous version, if any, is still served)");
    }

    /// <summary>Counts one load of <paramref name="zone"/>'s file.</summary>
    public void Loaded(string zone, bool ok)
    {
        _failing[zone] = !ok;
        _loads.Add(1, new KeyValuePair<string, object?>("dns.zone", zone),
            new KeyValuePair<string, object?>("geodns.zone.load.result", ok ? "ok" : "failed"));
    }

    /// <summary>The zone's file is gone: it is no longer loaded, failing or not.</summary>
    public void Removed(string zone) => _failing.TryRemove(zone, out _);

    /// <summary>Forgets the zones whose files were not in the last listing of the folder.</summary>
    public void Retain(IReadOnlySet<string> present)
    {
        foreach (var zone in _failing.Keys.Where(z => !present.Contains(z)))
        {
            _failing.TryRemove(zone, out _);
        }
    }
}
