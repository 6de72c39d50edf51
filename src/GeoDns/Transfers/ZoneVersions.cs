using System.Collections.Concurrent;
using GeoDns.Core.Dns;
using GeoDns.Core.Lookup;

namespace GeoDns.Transfers;

/// <summary>A serial as served: the zone and the pools' records taken when the serial was.</summary>
public sealed record ZoneVersion(Zone Zone, uint Serial, IReadOnlyList<ResourceRecord> PoolRecords);

/// <summary>One change between two serials (RFC 1995): the records deleted and added.</summary>
public sealed record ZoneStep(uint From, uint To, IReadOnlyList<ResourceRecord> Deleted, IReadOnlyList<ResourceRecord> Added);

/// <summary>A zone's current version and the steps that led to it, oldest first.</summary>
public sealed record ZoneHistory(ZoneVersion Current, IReadOnlyList<ZoneStep> Steps)
{
    /// <summary>The steps from <paramref name="serial"/> to the current serial; null when the history does not reach back to it.</summary>
    public IReadOnlyList<ZoneStep>? StepsFrom(uint serial)
    {
        int first = -1;
        for (int i = 0; i < Steps.Count; i++)
        {
            if (Steps[i].From == serial)
            {
                first = i;
                break;
            }
        }

        return first < 0 ? null : Steps.Skip(first).ToList();
    }
}

/// <summary>
/// The history IXFR answers from: each zone's version per serial and the pools' changes between
/// them (health, drains, forced states, pins change pool records only). A reload starts the
/// history again (an IXFR from before it gets the whole zone). Bounded: <see cref="MaxSteps"/> steps a zone.
/// </summary>
public sealed class ZoneVersions
{
    public const int MaxSteps = 64;

    private readonly ConcurrentDictionary<string, ZoneHistory> _zones = new(StringComparer.Ordinal);

    public ZoneHistory? For(DnsName zone) => _zones.GetValueOrDefault(zone.Key);

    /// <param name="reloaded">The zone's file was (re)loaded: earlier steps no longer apply.</param>
    public void Record(ZoneVersion version, bool reloaded)
    {
        var key = version.Zone.Apex.Key;
        if (reloaded || !_zones.TryGetValue(key, out var previous) || previous.Current.Serial == version.Serial)
        {
            _zones[key] = new ZoneHistory(version, []);
            return;
        }

        var before = previous.Current.PoolRecords;
        var after = version.PoolRecords;
        var step = new ZoneStep(previous.Current.Serial, version.Serial,
            [.. before.Where(r => !after.Any(a => Same(a, r)))], [.. after.Where(a => !before.Any(r => Same(a, r)))]);
        var steps = previous.Steps.Append(step).ToList();
        if (steps.Count > MaxSteps)
        {
            steps.RemoveRange(0, steps.Count - MaxSteps);
        }

        _zones[key] = new ZoneHistory(version, steps);
    }

    private static bool Same(ResourceRecord a, ResourceRecord b) =>
        a.Type == b.Type && a.Ttl == b.Ttl && a.Owner == b.Owner && a.RData.AsSpan().SequenceEqual(b.RData);
}
