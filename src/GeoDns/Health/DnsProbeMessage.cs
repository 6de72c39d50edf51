using System.Buffers.Binary;
using System.Net;
using System.Text;
using GeoDns.Core.Dns;

namespace GeoDns.Health;

/// <summary>The DNS checker's wire work: one question out, rcode and answer section back.</summary>
public static class DnsProbeMessage
{
    /// <summary>A query for (<paramref name="name"/>, <paramref name="type"/>, IN) without recursion desired.</summary>
    public static byte[] BuildQuery(ushort id, DnsName name, ushort type)
    {
        var message = new byte[12 + name.WireLength + 4];
        BinaryPrimitives.WriteUInt16BigEndian(message, id);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), 1);
        name.Wire.CopyTo(message.AsSpan(12));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(12 + name.WireLength), type);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(14 + name.WireLength), RecordClass.IN);
        return message;
    }

    /// <summary>
    /// Reads a response to query <paramref name="id"/>: its rcode and the answer section's
    /// records as text (addresses for A/AAAA, names with a trailing dot for CNAME, NS, PTR,
    /// DNAME). Returns false when the message is not a response to that query.
    /// </summary>
    public static bool TryReadResponse(ReadOnlySpan<byte> message, ushort id, out int rcode, out List<string> answers)
    {
        rcode = -1;
        answers = [];
        if (message.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(message) != id)
        {
            return false;
        }

        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if ((flags & 0x8000) == 0)
        {
            return false;
        }

        rcode = flags & 0xF;
        int questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int answerCount = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        int offset = 12;
        for (int i = 0; i < questions; i++)
        {
            if (!TryReadName(message, ref offset, out _) || (offset += 4) > message.Length)
            {
                return false;
            }
        }

        for (int i = 0; i < answerCount; i++)
        {
            if (!TryReadName(message, ref offset, out _) || offset + 10 > message.Length)
            {
                return false;
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            int rdata = offset + 10;
            offset = rdata + length;
            if (offset > message.Length)
            {
                return false;
            }

            if (type is RecordType.A or RecordType.AAAA && length is 4 or 16)
            {
                answers.Add(new IPAddress(message.Slice(rdata, length)).ToString());
            }
            else if (type is RecordType.CNAME or RecordType.NS or RecordType.PTR or RecordType.DNAME)
            {
                int at = rdata;
                if (TryReadName(message, ref at, out var target))
                {
                    answers.Add(target);
                }
            }
        }

        return true;
    }

    /// <summary>Reads a possibly compressed name as lower-case text with a trailing dot.</summary>
    private static bool TryReadName(ReadOnlySpan<byte> message, ref int offset, out string name)
    {
        var text = new StringBuilder();
        int at = offset;
        int jumps = 0;
        name = string.Empty;
        while (true)
        {
            if (at >= message.Length)
            {
                return false;
            }

            byte length = message[at];
            if ((length & 0xC0) == 0xC0)
            {
                if (at + 1 >= message.Length || ++jumps > 64)
                {
                    return false;
                }

                if (jumps == 1)
                {
                    offset = at + 2;
                }

                at = ((length & 0x3F) << 8) | message[at + 1];
                continue;
            }

            if (length > 63 || at + 1 + length > message.Length)
            {
                return false;
            }

            if (length == 0)
            {
                if (jumps == 0)
                {
                    offset = at + 1;
                }

                name = text.Length == 0 ? "." : text.ToString().ToLowerInvariant();
                return true;
            }

            text.Append(Encoding.ASCII.GetString(message.Slice(at + 1, length))).Append('.');
            at += 1 + length;
        }
    }
}
