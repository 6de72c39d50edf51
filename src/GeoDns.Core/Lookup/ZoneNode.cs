using GeoDns.Core.Answers;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>
/// One owner name of a zone (or an empty non-terminal) with its prepared replies. Kept
/// small: a zone of a million names holds a million of these, so what few names have (more
/// than one type, a wildcard child, a zone cut) lives in a side object.
/// </summary>
public sealed class ZoneNode
{
    private readonly ushort[] _types;
    private readonly PreparedAnswer? _first;
    private Rare? _rare;

    /// <param name="types">The types the node answers; shared between nodes, never changed.</param>
    /// <param name="first">The answer for <c>types[0]</c>; it also answers ANY over UDP.</param>
    /// <param name="more">The answers for the rest of <paramref name="types"/>, in order.</param>
    internal ZoneNode(ushort[] types, PreparedAnswer? first, PreparedAnswer[]? more, PreparedAnswer other, PreparedAnswer? anyTcp)
    {
        _types = types;
        _first = first;
        Other = other;
        anyTcp = ReferenceEquals(anyTcp, first) ? null : anyTcp;
        if (more is not null || anyTcp is not null)
        {
            _rare = new Rare { More = more, AnyTcp = anyTcp };
        }
    }

    /// <summary>The types the node has data for, pools' types included (an NSEC type bitmap lists them).</summary>
    public IReadOnlyList<ushort> Types => _types;

    /// <summary>Reply for types the node has no answer prepared for (NODATA, or a CNAME chain ending so).</summary>
    public PreparedAnswer Other { get; }

    /// <summary>RFC 8482: one RRset over UDP.</summary>
    public PreparedAnswer AnyUdp => _first ?? Other;

    public PreparedAnswer AnyTcp => _rare?.AnyTcp ?? AnyUdp;

    /// <summary>The <c>*</c> child, when there is one.</summary>
    public ZoneNode? Wildcard
    {
        get => _rare?.Wildcard;
        internal set => RareFields().Wildcard = value;
    }

    /// <summary>Set when the node is at or below a zone cut: the referral to send instead of data.</summary>
    public PreparedAnswer? Referral
    {
        get => _rare?.Referral;
        internal set => RareFields().Referral = value;
    }

    public bool IsCut
    {
        get => _rare?.IsCut ?? false;
        internal set => RareFields().IsCut = value;
    }

    public PreparedAnswer AnswerFor(ushort type, bool overTcp)
    {
        var types = _types;
        for (int i = 0; i < types.Length; i++)
        {
            if (types[i] == type)
            {
                return i == 0 ? _first! : _rare!.More![i - 1];
            }
        }

        if (type == RecordType.ANY)
        {
            return overTcp ? AnyTcp : AnyUdp;
        }

        return Other;
    }

    private Rare RareFields() => _rare ??= new Rare();

    /// <summary>What few nodes carry: set while the zone is compiled, read-only once it is served.</summary>
    private sealed class Rare
    {
        public PreparedAnswer[]? More;
        public PreparedAnswer? AnyTcp;
        public ZoneNode? Wildcard;
        public PreparedAnswer? Referral;
        public bool IsCut;
    }
}
