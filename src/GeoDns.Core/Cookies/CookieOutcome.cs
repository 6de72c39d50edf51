namespace GeoDns.Core.Cookies;

/// <summary>What the COOKIE option (RFC 7873) of a query came to.</summary>
public enum CookieOutcome : byte
{
    /// <summary>No COOKIE option, or cookies are off.</summary>
    None,

    /// <summary>A client cookie only: the reply carries a new server cookie.</summary>
    Fresh,

    /// <summary>A server cookie this server (or one sharing its secret) made, for this client, still in date.</summary>
    Valid,

    /// <summary>A server cookie that does not verify or is out of date: the reply carries a new one.</summary>
    Bad,
}
