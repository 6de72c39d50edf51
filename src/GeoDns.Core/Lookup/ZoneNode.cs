using GeoDns.Core.Answers;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>
/// One owner name of a zone (or an empty non-terminal) with its prepared replies. Kept
/// small: a zone of a million names holds a million of these.
/// </summary>
public sealed class ZoneNode
{
    private ushort[] _types = [];
    private PreparedAnswer? _first;
    private PreparedAnswer[]? _more;
    private PreparedAnswer? _anyTcp;

    /// <summary>A node being compiled: answers come with <see cref="Complete"/>.</summary>
    internal ZoneNode(object build)
    {
        Build = build;
    }

    /// <summary>
    /// While the zone is compiled: the node's only record (a ResourceRecord) or its
    /// <see cref="BuildNode"/>; null once it is served.
    /// </summary>
    internal object? Build { get; set; }

    /// <param name="first">The answer for <c>types[0]</c>; it also answers ANY over UDP.</param>
    /// <param name="more">The answers for the rest of <paramref name="types"/>, in order.</param>
    internal void Complete(ushort[] types, PreparedAnswer? first, PreparedAnswer[]? more, PreparedAnswer other, PreparedAnswer? anyTcp)
    {
        _types = types;
        _first = first;
        _more = more;
        Other = other;
        _anyTcp = ReferenceEquals(anyTcp, _first) ? null : anyTcp;
    }

    /// <summary>The types the node has data for, pools' types included (an NSEC type bitmap lists them).</summary>
    public IReadOnlyList<ushort> Types => _types;

    /// <summary>Reply for types the node has no answer prepared for (NODATA, or a CNAME chain ending so).</summary>
    public PreparedAnswer Other { get; private set; } = null!;

    /// <summary>RFC 8482: one RRset over UDP.</summary>
    public PreparedAnswer AnyUdp => _first ?? Other;

    public PreparedAnswer AnyTcp => _anyTcp ?? AnyUdp;

    /// <summary>The <c>*</c> child, when there is one.</summary>
    public ZoneNode? Wildcard { get; internal set; }

    /// <summary>Set when the node is at or below a zone cut: the referral to send instead of data.</summary>
    public PreparedAnswer? Referral { get; internal set; }

    public bool IsCut { get; internal set; }

    public PreparedAnswer AnswerFor(ushort type, bool overTcp)
    {
        var types = _types;
        for (int i = 0; i < types.Length; i++)
        {
            if (types[i] == type)
            {
                return i == 0 ? _first! : _more![i - 1];
            }
        }

        if (type == RecordType.ANY)
        {
            return overTcp ? AnyTcp : AnyUdp;
        }

        return Other;
    }
}
