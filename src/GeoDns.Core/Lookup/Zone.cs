using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Lookup;

/// <summary>One zone as served: its nodes keyed by <see cref="DnsName.Key"/>.</summary>
public sealed class Zone
{
    private readonly NodeTable _nodes;

    internal Zone(DnsName apex, uint serial, int recordCount, NodeTable nodes, PreparedAnswer nxDomain)
    {
        Apex = apex;
        Serial = serial;
        RecordCount = recordCount;
        _nodes = nodes;
        NxDomain = nxDomain;
    }

    public DnsName Apex { get; }

    public uint Serial { get; }

    public int RecordCount { get; }

    public PreparedAnswer NxDomain { get; }

    /// <summary>
    /// The file the zone was built from (its plain records), kept for zone transfers; null for
    /// a zone compiled record by record.
    /// </summary>
    public ZoneFile? Source { get; internal set; }

    /// <summary>The traffic-managed names and their per-query answers, in file order.</summary>
    public IReadOnlyList<KeyValuePair<DnsName, IDynamicAnswer>> Pools { get; internal set; } = [];

    public bool TryGetNode(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ZoneNode node) =>
        _nodes.TryGetValue(key, out node);
}
