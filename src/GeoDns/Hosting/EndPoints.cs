using System.Net;

namespace GeoDns.Hosting;

internal static class EndPoints
{
    /// <summary>Parses ADDR:PORT, [V6]:PORT or a bare address (port 53).</summary>
    public static IPEndPoint Parse(string text)
    {
        if (IPEndPoint.TryParse(text, out var endpoint))
        {
            if (endpoint.Port == 0 && !text.EndsWith(":0", StringComparison.Ordinal))
            {
                endpoint.Port = 53;
            }

            return endpoint;
        }

        throw new FormatException($"'{text}' is not an address:port (e.g. 127.0.0.1:5300 or [::1]:5300)");
    }
}
