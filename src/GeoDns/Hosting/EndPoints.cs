using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace GeoDns.Hosting;

internal static class EndPoints
{
    /// <summary>
    /// Parses a <c>--dns</c> value: ADDR:PORT with a dotted-quad IPv4 address, or [V6]:PORT,
    /// the port from 0 (any free port) to 65535. Anything else (a bare address, a bare number,
    /// an IPv6 address without brackets) is a <see cref="FormatException"/> naming the value.
    /// </summary>
    public static IPEndPoint Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon > 0 && colon < text.Length - 1
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= IPEndPoint.MaxPort)
        {
            var host = text.AsSpan(0, colon);
            bool bracketed = host.Length > 2 && host[0] == '[' && host[^1] == ']';
            if (bracketed && IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                return new IPEndPoint(v6, port);
            }

            if (!bracketed && host.Count('.') == 3 && IPAddress.TryParse(host, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork)
            {
                return new IPEndPoint(v4, port);
            }
        }

        throw new FormatException($"--dns '{text}' is not ADDR:PORT (for example 127.0.0.1:5300 or [::1]:5300)");
    }
}
