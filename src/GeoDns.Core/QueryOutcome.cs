using GeoDns.Core.Cookies;
using GeoDns.Core.Lookup;
using GeoDns.Core.RateLimiting;
using GeoDns.Core.Traffic;

namespace GeoDns.Core;

/// <summary>
/// What one query came to, for the host's counters: filled by <see cref="QueryProcessor.Process(ReadOnlySpan{byte}, Span{byte}, Wire.ClientAddress, bool, out QueryOutcome)"/>
/// on the stack, references to objects the snapshot already holds, nothing allocated.
/// </summary>
public struct QueryOutcome
{
    /// <summary>The zone the name belongs to; null when none does (REFUSED) or the question was not looked up.</summary>
    public Zone? Zone;

    /// <summary>The question's type (0 when the request had no readable question).</summary>
    public ushort QType;

    /// <summary>The RCODE sent, extended (BADVERS is 16); -1 when nothing was sent.</summary>
    public int ResponseCode;

    /// <summary>The reply had TC=1: the answer did not fit.</summary>
    public bool Truncated;

    /// <summary>The pool that chose the answer's members, when a traffic-managed name was asked.</summary>
    public PoolModel? Pool;

    /// <summary>With <see cref="Pool"/>: index in <see cref="PoolModel.Regions"/> of the first member chosen; -1 when none was.</summary>
    public int Region;

    /// <summary>With <see cref="Pool"/>: why the pool answered so.</summary>
    public DecisionReason Reason;

    /// <summary>The reply carried this server's NSID.</summary>
    public bool SentNsid;

    /// <summary>What the query's COOKIE option came to (<see cref="CookieOutcome.None"/> without one, or with cookies off).</summary>
    public CookieOutcome Cookie;

    /// <summary>Response rate limiting: <see cref="RateDecision.Send"/> unless the reply was slipped or dropped.</summary>
    public RateDecision RateLimit;
}
