using GeoDns.Core.Wire;

namespace GeoDns.Transfers;

/// <summary>Walks the sections of a DNS message off the query path (transfers, TSIG, NOTIFY).</summary>
public static class DnsMessage
{
    /// <summary>
    /// Reads the name at <paramref name="offset"/> (compression pointers followed, at most 127
    /// hops) into its lower-cased uncompressed wire form; moves <paramref name="offset"/> past it.
    /// </summary>
    public static bool TryReadName(ReadOnlySpan<byte> message, ref int offset, out byte[] canonical)
    {
        canonical = [];
        Span<byte> name = stackalloc byte[255];
        int length = 0;
        int at = offset;
        int end = -1;
        for (int hops = 0; hops < 128; hops++)
        {
            if (at >= message.Length)
            {
                return false;
            }

            int label = message[at];
            if ((label & 0xC0) == 0xC0)
            {
                if (at + 1 >= message.Length)
                {
                    return false;
                }

                end = end < 0 ? at + 2 : end;
                at = ((label & 0x3F) << 8) | message[at + 1];
                continue;
            }

            if ((label & 0xC0) != 0 || at + 1 + label > message.Length || length + 1 + label > 255)
            {
                return false;
            }

            name[length++] = (byte)label;
            if (label == 0)
            {
                offset = end < 0 ? at + 1 : end;
                canonical = name[..length].ToArray();
                return true;
            }

            for (int i = 0; i < label; i++)
            {
                byte b = message[at + 1 + i];
                name[length++] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
            }

            at += 1 + label;
        }

        return false;
    }

    /// <summary>Skips one resource record; returns its type and where its RDATA is.</summary>
    public static bool TrySkipRecord(ReadOnlySpan<byte> message, ref int offset, out ushort type, out int rdata, out int rdataLength) =>
        QueryParser.TrySkipRecord(message, ref offset, out type, out rdata, out rdataLength);

    /// <summary>The offset of the question's end (after QTYPE and QCLASS) of a one-question message, or -1.</summary>
    public static int QuestionEnd(ReadOnlySpan<byte> message, out byte[] qname, out ushort qtype)
    {
        qname = [];
        qtype = 0;
        int offset = DnsWire.HeaderLength;
        if (message.Length < DnsWire.HeaderLength || DnsWire.ReadUInt16(message, 4) != 1 ||
            !TryReadName(message, ref offset, out qname) || offset + 4 > message.Length)
        {
            return -1;
        }

        qtype = DnsWire.ReadUInt16(message, offset);
        return offset + 4;
    }

    /// <summary>The offset of the last additional record (where a TSIG is), or -1 when the message does not parse.</summary>
    public static int LastRecordStart(ReadOnlySpan<byte> message)
    {
        if (message.Length < DnsWire.HeaderLength)
        {
            return -1;
        }

        int offset = DnsWire.HeaderLength;
        for (int i = 0; i < DnsWire.ReadUInt16(message, 4); i++)
        {
            if (!TryReadName(message, ref offset, out _) || (offset += 4) > message.Length)
            {
                return -1;
            }
        }

        int records = DnsWire.ReadUInt16(message, 6) + DnsWire.ReadUInt16(message, 8) + DnsWire.ReadUInt16(message, 10);
        int last = -1;
        for (int i = 0; i < records; i++)
        {
            last = offset;
            if (!TrySkipRecord(message, ref offset, out _, out _, out _))
            {
                return -1;
            }
        }

        return last;
    }
}
