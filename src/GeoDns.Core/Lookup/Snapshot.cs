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

    /// <summary>The zone whose apex has <paramref name="apexKey"/> (<see cref="DnsName.Key"/>), or null.</summary>
    public Zone? Find(string apexKey) => _zones.GetValueOrDefault(apexKey);

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
        int zoneLabel = FindZone(key, labelStarts, 0, out zone);
        if (zone is null)
        {
            return null;
        }

        // RFC 4035 3.1.4.1: DS at a zone's apex belongs to the parent side of the cut. When the
        // nearest enclosing zone is served here too and delegates this name, it answers.
        if (qtype == RecordType.DS && zoneLabel == 0 && labelStarts.Length > 0 &&
            FindZone(key, labelStarts, 1, out var parent) > 0 &&
            parent!.TryGetNode(key, out var delegation) && delegation.IsCut)
        {
            return delegation.AnswerFor(qtype, overTcp);
        }

        if (zone.TryGetNode(key, out var node))
        {
            if (node.Referral is not null && !(node.IsCut && qtype == RecordType.DS))
            {
                return node.Referral;
            }

            return node.AnswerFor(qtype, overTcp);
        }

        // Closest encloser: the longest existing ancestor (empty non-terminals included); the
        // apex (zoneLabel) always exists, and is the root's one-character key for a root zone.
        for (int i = 1; i <= zoneLabel; i++)
        {
            if (!zone.TryGetNode(Suffix(key, labelStarts, i), out var encloser))
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

    /// <summary>
    /// The zone whose apex is the longest suffix of <paramref name="key"/> that drops at least
    /// <paramref name="fromLabel"/> labels, and how many labels it drops; -1 and null when none.
    /// </summary>
    private int FindZone(ReadOnlySpan<char> key, ReadOnlySpan<int> labelStarts, int fromLabel, out Zone? zone)
    {
        for (int i = fromLabel; i <= labelStarts.Length; i++)
        {
            if (_byKey.TryGetValue(Suffix(key, labelStarts, i), out zone))
            {
                return i;
            }
        }

        zone = null;
        return -1;
    }

    /// <summary>The key of the name without its first <paramref name="label"/> labels; the root when all are dropped.</summary>
    private static ReadOnlySpan<char> Suffix(ReadOnlySpan<char> key, ReadOnlySpan<int> labelStarts, int label) =>
        label < labelStarts.Length ? key[labelStarts[label]..] : key[^1..];
}
