using GeoDns.Core.Dns;

namespace GeoDns.Core.Dnssec;

/// <summary>Canonical form helpers (RFC 4034 6.2): names lower-cased, never compressed.</summary>
public static class Canonical
{
    /// <summary>Copies an uncompressed wire name, lower-casing ASCII letters; returns its length.</summary>
    public static int LowerName(ReadOnlySpan<byte> wire, Span<byte> destination)
    {
        int position = 0;
        while (true)
        {
            int length = wire[position];
            destination[position] = (byte)length;
            position++;
            if (length == 0)
            {
                return position;
            }

            for (int i = 0; i < length; i++, position++)
            {
                byte b = wire[position];
                destination[position] = DnsName.LowerAscii(b);
            }
        }
    }
}
