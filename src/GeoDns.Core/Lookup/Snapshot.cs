using GeoDns.Core.Answers;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>
/// Every zone being served, immutable. The host swaps whole snapshots with one reference
/// write; the query path reads one without locks or allocation.
/// </summary>
public sealed class Snapshot
{
    private readonly Dictionary<string, Zone> _zones;
    private readonly Dictionary<string, Zone>.AlternateLookup<ReadOnlySpan<char>> _byKey;

    public Snapshot(IEnumerable<Zone> zones)
    {
        _zones = zones.ToDictionary(z => z.Apex.Key, StringComparer.Ordinal);
        _byKey = _zones.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static Snapshot Empty { get; } = new([]);

    public IReadOnlyCollection<Zone> Zones => _zones.Values;

    /// <summary>
    /// RFC 1034 4.3.2 over prepared replies. <paramref name="key"/> is the lower-cased wire
    /// name, <paramref name="labelStarts"/> the offset of each of its labels (the root
    /// excluded). Returns null when no zone is authoritative (REFUSED).
    /// </summary>
    public PreparedAnswer? Resolve(ReadOnlySpan<char> key, ReadOnlySpan<int> labelStarts, ushort qtype, bool overTcp) =>
        Resolve(key, labelStarts, qtype, overTcp, out _);

    /// <inheritdoc cref="Resolve(ReadOnlySpan{char}, ReadOnlySpan{int}, ushort, bool)"/>
    /// <param name="zone">The most specific zone of the name (null when none: REFUSED).</param>
    public PreparedAnswer? Resolve(ReadOnlySpan<char> key, ReadOnlySpan<int> labelStarts, ushort qtype, bool overTcp, out Zone? zone)
    {
        // Most specific zone: the longest suffix that is an apex.
        zone = null;
        int zoneLabel = -1;
        for (int i = 0; i <= labelStarts.Length; i++)
        {
            var suffix = i < labelStarts.Length ? key[labelStarts[i]..] : key[^1..];
            if (_byKey.TryGetValue(suffix, out zone))
            {
                zoneLabel = i;
                break;
            }
        }

        if (zone is null)
        {
            return null;
        }

        if (zone.TryGetNode(key, out var node))
        {
            if (node.Referral is not null && !(node.IsCut && qtype == RecordType.DS))
            {
                return node.Referral;
            }

            return node.AnswerFor(qtype, overTcp);
        }

        // Closest encloser: the longest existing ancestor (empty non-terminals included).
        for (int i = 1; i <= zoneLabel; i++)
        {
            if (!zone.TryGetNode(key[labelStarts[i]..], out var encloser))
            {
                continue;
            }

            if (encloser.Referral is not null)
            {
                return encloser.Referral;
            }

            if (encloser.Wildcard is { } wildcard)
            {
                return wildcard.Referral ?? wildcard.AnswerFor(qtype, overTcp);
            }

            return zone.NxDomain;
        }

        return zone.NxDomain;
    }
}
