namespace GeoDns.Core.Answers;

/// <summary>How a prepared body relates to the name actually asked.</summary>
public enum TemplateMode
{
    /// <summary>Built for the exact query name: used only when the name matches, no pointer shifts.</summary>
    Exact,

    /// <summary>Built for a wildcard owner: the query name replaces it whole and becomes the owner.</summary>
    Wildcard,

    /// <summary>Built for an ancestor of the query name (NXDOMAIN, referral): the template is a suffix of it.</summary>
    Suffix,
}

/// <summary>
/// A response encoded when the snapshot was built: everything after the question section,
/// with compression pointers laid out for a question name of <see cref="TemplateNameLength"/>
/// octets. The query path copies the bytes and, when the asked name is longer (wildcard,
/// NXDOMAIN, referral), adds the difference to each pointer listed in <see cref="Fixups"/>.
/// </summary>
public sealed class PreparedAnswer
{
    // A zone of a million names holds a million of these: small fields are packed, and what
    // only pool answers use lives in a side object.
    private readonly byte _templateNameLength;
    private readonly byte _responseCode;
    private readonly DynamicPart? _dynamic;

    /// <summary>The encoded sections; a slice of a buffer shared by many answers of one zone.</summary>
    public required ArraySegment<byte> Body { get; init; }

    /// <summary>Wire length of the name the template was built for (a name is at most 255 octets).</summary>
    public required int TemplateNameLength
    {
        get => _templateNameLength;
        init => _templateNameLength = checked((byte)value);
    }

    public required bool Authoritative { get; init; }

    /// <summary>The header's RCODE (4 bits; extended codes go in EDNS, not here).</summary>
    public required int ResponseCode
    {
        get => _responseCode;
        init => _responseCode = checked((byte)value);
    }

    public required ushort AnswerCount { get; init; }

    public required ushort AuthorityCount { get; init; }

    public required ushort AdditionalCount { get; init; }

    /// <summary>Body length without the additional section (sent when the whole does not fit).</summary>
    public required int LengthWithoutAdditional { get; init; }

    /// <summary>Additional records that must be sent or the reply truncated (in-domain glue, RFC 9471).</summary>
    public required bool AdditionalRequired { get; init; }

    /// <summary>Body offsets of compression pointers that move with the query name's length, ascending.</summary>
    public required int[] Fixups { get; init; }

    /// <summary>Set when the answer ends in a traffic-managed pool chosen per query.</summary>
    public IDynamicAnswer? Dynamic
    {
        get => _dynamic?.Answer;
        init
        {
            if (value is not null)
            {
                (_dynamic ??= new DynamicPart()).Answer = value;
            }
        }
    }

    /// <summary>Message offset of the pool name the dynamic records point their owner to.</summary>
    public int DynamicOwnerOffset
    {
        get => _dynamic?.OwnerOffset ?? 0;
        init
        {
            if (value != 0)
            {
                (_dynamic ??= new DynamicPart()).OwnerOffset = value;
            }
        }
    }

    /// <summary>The reply to send when the pool answers nothing (NODATA with the chain so far).</summary>
    public PreparedAnswer? DynamicEmpty
    {
        get => _dynamic?.Empty;
        init
        {
            if (value is not null)
            {
                (_dynamic ??= new DynamicPart()).Empty = value;
            }
        }
    }

    private sealed class DynamicPart
    {
        public IDynamicAnswer? Answer;
        public int OwnerOffset;
        public PreparedAnswer? Empty;
    }
}
