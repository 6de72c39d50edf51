namespace GeoDns.Core.Wire;

/// <summary>What the query path needs from a request, read straight from its bytes.</summary>
public struct ParsedQuery
{
    public ushort Id;
    public ushort Flags;
    public int Opcode;

    /// <summary>Wire length of the question name (it always starts at offset 12).</summary>
    public int QNameLength;
    public ushort QType;
    public ushort QClass;

    /// <summary>Offset just past the question section (0 when the question could not be read).</summary>
    public int QuestionEnd;

    public bool HasEdns;
    public byte EdnsVersion;
    public ushort EdnsUdpSize;
    public bool DnssecOk;

    public bool HasClientSubnet;
    public ushort SubnetFamily;
    public byte SubnetSourcePrefix;
    public ClientAddress SubnetAddress;

    /// <summary>The query carries the NSID option (RFC 5001): the reply may name this server.</summary>
    public bool WantsNsid;

    /// <summary>Offset in the request of the first COOKIE option's payload (RFC 7873), its length unchecked.</summary>
    public int CookieOffset;

    /// <summary>Length of that payload; -1 when the query has no COOKIE option.</summary>
    public int CookieLength;

    public readonly bool HasCookie => CookieLength >= 0;

    /// <summary>The last additional record is a TSIG (RFC 8945): the message is signed.</summary>
    public bool HasTsig;

    public readonly bool HasQuestion => QuestionEnd > 0;
}

public enum ParseOutcome
{
    /// <summary>A well-formed query to answer.</summary>
    Query,

    /// <summary>Not worth an answer (a response, or too short to carry an ID).</summary>
    Drop,

    FormErr,

    /// <summary>
    /// A QUERY without a question (QDCOUNT 0), read to its end: FORMERR, unless it asks for a
    /// server cookie (RFC 7873 5.4) and cookies are on.
    /// </summary>
    NoQuestion,

    NotImp,
    BadVers,
}
