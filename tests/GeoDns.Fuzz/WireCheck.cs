using System.Buffers.Binary;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;

namespace GeoDns.Fuzz;

/// <summary>What <see cref="WireCheck.Walk"/> read from a reply.</summary>
public sealed class ReplyShape
{
    public ushort Id { get; set; }

    public ushort Flags { get; set; }

    public int QuestionCount { get; set; }

    public int AnswerCount { get; set; }

    public int AuthorityCount { get; set; }

    public int AdditionalCount { get; set; }

    /// <summary>Offset just past the question section.</summary>
    public int QuestionEnd { get; set; }

    public bool HasOpt { get; set; }

    public int OptRecordLength { get; set; }

    public ushort OptUdpSize { get; set; }

    public int ExtendedRcode { get; set; }

    public bool OptDnssecOk { get; set; }

    public bool HasSubnet { get; set; }

    public ushort SubnetFamily { get; set; }

    public byte SubnetSource { get; set; }

    public byte SubnetScope { get; set; }

    public byte[] SubnetAddress { get; set; } = [];

    public bool Truncated => (Flags & DnsWire.FlagTc) != 0;

    public int Rcode => (Flags & 0xF) | (ExtendedRcode << 4);
}

/// <summary>
/// A strict, independent reader of GeoDns's replies: every count matches its section, the
/// sections end exactly at the message end, every compression pointer points backwards to the
/// start of a label written earlier, names stay within 255 octets, names inside RDATA are
/// compressed only where RFC 3597 4 allows it (NS, CNAME, PTR, MX, SOA), and the OPT record
/// (one at most, owned by the root, in the additional section) is well formed.
/// </summary>
public static class WireCheck
{
    /// <param name="opaqueTypes">
    /// Also check the layout of RDATA GeoDns copies as the zone gives it (RP, NAPTR, SVCB, HTTPS):
    /// true for the fuzz zones, whose data is known to be well formed; false for zones from input,
    /// where RFC 3597 RDATA of these types is kept as written.
    /// </param>
    public static ReplyShape Walk(ReadOnlySpan<byte> m, bool opaqueTypes = true)
    {
        if (!(m.Length >= DnsWire.HeaderLength))
        {
            throw Invariant.Fail($"reply of {m.Length} octets is shorter than a header");
        }

        var shape = new ReplyShape
        {
            Id = U16(m, 0),
            Flags = U16(m, 2),
            QuestionCount = U16(m, 4),
            AnswerCount = U16(m, 6),
            AuthorityCount = U16(m, 8),
            AdditionalCount = U16(m, 10),
        };
        var labelStarts = new HashSet<int>();
        int offset = DnsWire.HeaderLength;
        for (int i = 0; i < shape.QuestionCount; i++)
        {
            ReadName(m, ref offset, labelStarts, compressionAllowed: true, "question");
            Need(m, offset, 4, "question type and class");
            offset += 4;
        }

        shape.QuestionEnd = offset;
        int records = shape.AnswerCount + shape.AuthorityCount + shape.AdditionalCount;
        for (int i = 0; i < records; i++)
        {
            bool additional = i >= shape.AnswerCount + shape.AuthorityCount;
            int start = offset;
            ReadName(m, ref offset, labelStarts, compressionAllowed: true, "owner");
            Need(m, offset, 10, "record type, class, TTL and RDLENGTH");
            ushort type = U16(m, offset);
            int rdLength = U16(m, offset + 8);
            int rdata = offset + 10;
            Need(m, rdata, rdLength, "RDATA");
            if (type == RecordType.OPT)
            {
                Invariant.That(additional, "OPT record outside the additional section");
                Invariant.That(!shape.HasOpt, "two OPT records");
                Invariant.That(m[start] == 0 && offset == start + 1, "OPT record not owned by the root");
                shape.HasOpt = true;
                shape.OptRecordLength = 11 + rdLength;
                shape.OptUdpSize = U16(m, offset + 2);
                shape.ExtendedRcode = m[offset + 4];
                Invariant.That(m[offset + 5] == 0, "reply EDNS version is not 0");
                shape.OptDnssecOk = (m[offset + 6] & 0x80) != 0;
                ReadOptions(m.Slice(rdata, rdLength), shape);
            }
            else
            {
                CheckRData(m, type, rdata, rdLength, labelStarts, opaqueTypes);
            }

            offset = rdata + rdLength;
        }

        if (!(offset == m.Length))
        {
            throw Invariant.Fail($"reply has {m.Length - offset} octets after its last record (counts {shape.QuestionCount}/{shape.AnswerCount}/{shape.AuthorityCount}/{shape.AdditionalCount})");
        }

        return shape;
    }

    /// <summary>
    /// The question name of a message as a lower-case dotted string, or null when a label holds
    /// anything but letters, digits, '-' and '_' (whose presentation form other parsers escape).
    /// </summary>
    public static string? QuestionName(ReadOnlySpan<byte> m)
    {
        var text = new System.Text.StringBuilder();
        int offset = DnsWire.HeaderLength;
        while (m[offset] != 0)
        {
            int len = m[offset];
            foreach (byte b in m.Slice(offset + 1, len))
            {
                char c = char.ToLowerInvariant((char)b);
                if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
                {
                    return null;
                }

                text.Append(c);
            }

            text.Append('.');
            offset += len + 1;
        }

        return text.Length == 0 ? "." : text.ToString();
    }

    private static void ReadOptions(ReadOnlySpan<byte> options, ReplyShape shape)
    {
        int offset = 0;
        while (offset < options.Length)
        {
            Invariant.That(offset + 4 <= options.Length, "OPT option header cut short");
            ushort code = U16(options, offset);
            int length = U16(options, offset + 2);
            offset += 4;
            Invariant.That(offset + length <= options.Length, "OPT option data cut short");
            if (code == DnsWire.EdnsOptionClientSubnet)
            {
                Invariant.That(!shape.HasSubnet, "two Client Subnet options in the reply");
                var option = options.Slice(offset, length);
                Invariant.That(option.Length >= 4, "reply Client Subnet option shorter than 4 octets");
                shape.HasSubnet = true;
                shape.SubnetFamily = U16(option, 0);
                shape.SubnetSource = option[2];
                shape.SubnetScope = option[3];
                shape.SubnetAddress = option[4..].ToArray();
                Invariant.That(shape.SubnetAddress.Length == (shape.SubnetSource + 7) / 8,
                    "reply Client Subnet address length does not match its source prefix");
            }

            offset += length;
        }
    }

    /// <summary>Address lengths, and names inside RDATA for the types GeoDns serves whose RDATA holds names.</summary>
    private static void CheckRData(ReadOnlySpan<byte> m, ushort type, int rdata, int length, HashSet<int> labelStarts, bool opaqueTypes)
    {
        int end = rdata + length;
        int offset = rdata;
        if (!opaqueTypes && type is 17 or 35 or 64 or 65)
        {
            return;
        }

        switch (type)
        {
            case RecordType.A or RecordType.AAAA:
                offset += type == RecordType.A ? 4 : 16;
                break;
            case RecordType.NS or RecordType.CNAME or RecordType.PTR:
                ReadName(m, ref offset, labelStarts, compressionAllowed: true, "NS/CNAME/PTR target");
                break;
            case RecordType.DNAME:
                ReadName(m, ref offset, labelStarts, compressionAllowed: false, "DNAME target");
                break;
            case RecordType.MX:
                offset += 2;
                ReadName(m, ref offset, labelStarts, compressionAllowed: true, "MX exchange", end);
                break;
            case RecordType.SOA:
                ReadName(m, ref offset, labelStarts, compressionAllowed: true, "SOA MNAME", end);
                ReadName(m, ref offset, labelStarts, compressionAllowed: true, "SOA RNAME", end);
                offset += 20;
                break;
            case RecordType.SRV:
                offset += 6;
                ReadName(m, ref offset, labelStarts, compressionAllowed: false, "SRV target", end);
                break;
            case 17: // RP
                ReadName(m, ref offset, labelStarts, compressionAllowed: false, "RP mailbox", end);
                ReadName(m, ref offset, labelStarts, compressionAllowed: false, "RP TXT name", end);
                break;
            case 35: // NAPTR: order, preference, three character strings, replacement
                offset += 4;
                for (int i = 0; i < 3; i++)
                {
                    Invariant.That(offset < end, "NAPTR character strings cut short");
                    offset += m[offset] + 1;
                }

                ReadName(m, ref offset, labelStarts, compressionAllowed: false, "NAPTR replacement", end);
                break;
            case 64 or 65: // SVCB, HTTPS: priority, target, parameters
                offset += 2;
                ReadName(m, ref offset, labelStarts, compressionAllowed: false, "SVCB target", end);
                offset = end;
                break;
            default:
                return;
        }

        if (!(offset == end))
        {
            throw Invariant.Fail($"type {type} RDATA is {length} octets but its fields take {offset - rdata}");
        }

    }

    private static void ReadName(ReadOnlySpan<byte> m, ref int offset, HashSet<int> labelStarts, bool compressionAllowed, string what, int limit = int.MaxValue)
    {
        int position = offset;
        bool jumped = false;
        int total = 0;
        int hops = 0;
        while (true)
        {
            if (!(position < Math.Min(m.Length, jumped ? m.Length : limit)))
            {
                throw Invariant.Fail($"{what} name runs past its end");
            }

            int len = m[position];
            if ((len & 0xC0) == 0xC0)
            {
                if (!(compressionAllowed))
                {
                    throw Invariant.Fail($"{what} name is compressed (RFC 3597 4 forbids it for this type)");
                }

                if (!(position + 1 < m.Length))
                {
                    throw Invariant.Fail($"{what} compression pointer cut short");
                }

                int target = ((len & 0x3F) << 8) | m[position + 1];
                if (!(target < position))
                {
                    throw Invariant.Fail($"{what} compression pointer at {position} points forward to {target}");
                }

                if (!(labelStarts.Contains(target)))
                {
                    throw Invariant.Fail($"{what} compression pointer at {position} points to {target}, not the start of a label");
                }

                if (!(++hops < 128))
                {
                    throw Invariant.Fail($"{what} compression pointers loop");
                }

                if (!jumped)
                {
                    offset = position + 2;
                    jumped = true;
                }

                position = target;
                continue;
            }

            if (!((len & 0xC0) == 0))
            {
                throw Invariant.Fail($"{what} name has a label of reserved type 0x{len:X2} at {position}");
            }

            if (!jumped)
            {
                labelStarts.Add(position);
            }

            total += len + 1;
            if (!(total <= DnsName.MaxWireLength))
            {
                throw Invariant.Fail($"{what} name is longer than 255 octets");
            }

            if (len == 0)
            {
                if (!jumped)
                {
                    offset = position + 1;
                }

                return;
            }

            position += len + 1;
        }
    }

    private static void Need(ReadOnlySpan<byte> m, int offset, int count, string what)
    {
        if (offset + count > m.Length)
        {
            throw Invariant.Fail($"{what} runs past the end of the reply ({offset}+{count} > {m.Length})");
        }
    }

    private static ushort U16(ReadOnlySpan<byte> m, int offset) => BinaryPrimitives.ReadUInt16BigEndian(m[offset..]);
}
