using System.Net;

namespace GeoDns.Admin;

/// <summary>Where the admin API listens and with which token.</summary>
public sealed record AdminOptions(IPEndPoint EndPoint, AdminToken Token)
{
    /// <summary>Parses <c>ADDR:PORT</c>, <c>[V6]:PORT</c>, <c>localhost:PORT</c> or <c>*:PORT</c>.</summary>
    public static IPEndPoint ParseEndPoint(string text)
    {
        text = text.Trim();
        int colon = text.LastIndexOf(':');
        if (colon > 0 && ushort.TryParse(text.AsSpan(colon + 1), out ushort port))
        {
            string host = text[..colon];
            if (host is "*" or "+")
            {
                return new IPEndPoint(IPAddress.IPv6Any, port);
            }

            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                return new IPEndPoint(IPAddress.Loopback, port);
            }
        }

        if (IPEndPoint.TryParse(text, out var endPoint) && text.Contains(':', StringComparison.Ordinal))
        {
            return endPoint;
        }

        throw new FormatException($"--admin '{text}' is not ADDR:PORT (for example 127.0.0.1:8053 or [::1]:8053)");
    }
}
