using GeoDns.Core.Answers;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>One owner name of a zone (or an empty non-terminal) with its prepared replies.</summary>
public sealed class ZoneNode
{
    private readonly ushort[] _types;
    private readonly PreparedAnswer[] _answers;

    internal ZoneNode(DnsName name, ushort[] types, PreparedAnswer[] answers, PreparedAnswer other,
        PreparedAnswer anyUdp, PreparedAnswer anyTcp)
    {
        Name = name;
        _types = types;
        _answers = answers;
        Other = other;
        AnyUdp = anyUdp;
        AnyTcp = anyTcp;
    }

    public DnsName Name { get; }

    /// <summary>Reply for types the node has no answer prepared for (NODATA, or a CNAME chain ending so).</summary>
    public PreparedAnswer Other { get; }

    /// <summary>RFC 8482: one RRset over UDP.</summary>
    public PreparedAnswer AnyUdp { get; }

    public PreparedAnswer AnyTcp { get; }

    /// <summary>The <c>*</c> child, when there is one.</summary>
    public ZoneNode? Wildcard { get; internal set; }

    /// <summary>Set when the node is at or below a zone cut: the referral to send instead of data.</summary>
    public PreparedAnswer? Referral { get; internal set; }

    public bool IsCut { get; internal set; }

    public ReadOnlySpan<ushort> Types => _types;

    public PreparedAnswer AnswerFor(ushort type, bool overTcp)
    {
        var types = _types;
        for (int i = 0; i < types.Length; i++)
        {
            if (types[i] == type)
            {
                return _answers[i];
            }
        }

        if (type == RecordType.ANY)
        {
            return overTcp ? AnyTcp : AnyUdp;
        }

        return Other;
    }
}
