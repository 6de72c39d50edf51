using GeoDns.Core.Dns;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Explain;

/// <summary>
/// A reply the server's writer produced, read back for <c>geodns explain</c>: header facts and
/// the records of each section with their RDATA names uncompressed, so they print in
/// master-file form.
/// </summary>
public sealed class ExplainReply
{
    private ExplainReply(int responseCode, bool authoritative, bool truncated,
        List<ResourceRecord> answer, List<ResourceRecord> authority, List<ResourceRecord> additional)
    {
        ResponseCode = responseCode;
        Authoritative = authoritative;
        Truncated = truncated;
        Answer = answer;
        Authority = authority;
        Additional = additional;
    }

    public int ResponseCode { get; }

    public bool Authoritative { get; }

    public bool Truncated { get; }

    public IReadOnlyList<ResourceRecord> Answer { get; }

    public IReadOnlyList<ResourceRecord> Authority { get; }

    /// <summary>The additional section without the OPT record.</summary>
    public IReadOnlyList<ResourceRecord> Additional { get; }

    /// <summary>"NOERROR, authoritative, 2 answer, 0 authority, 0 additional": the header as dig would summarise it.</summary>
    public string Summary =>
        $"{RcodeName(ResponseCode)}, {(Authoritative ? "authoritative" : "not authoritative")}{(Truncated ? ", truncated" : string.Empty)}, " +
        $"{Answer.Count} answer, {Authority.Count} authority, {Additional.Count} additional";

    public static string RcodeName(int rcode) => rcode switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        _ => $"RCODE{rcode}",
    };

    /// <summary>A record in master-file form: <c>owner ttl IN TYPE rdata</c>.</summary>
    public static string Text(ResourceRecord record) => RDataFormatter.FormatRecord(record);

    /// <summary>Reads a reply; throws <see cref="FormatException"/> when it is not well formed (a writer bug).</summary>
    public static ExplainReply Read(ReadOnlySpan<byte> message)
    {
        if (message.Length < DnsWire.HeaderLength)
        {
            throw new FormatException("reply shorter than a header");
        }

        ushort flags = DnsWire.ReadUInt16(message, 2);
        int questions = DnsWire.ReadUInt16(message, 4);
        int offset = DnsWire.HeaderLength;
        for (int i = 0; i < questions; i++)
        {
            ReadName(message, ref offset);
            offset += 4;
        }

        var sections = new List<ResourceRecord>[3];
        for (int section = 0; section < 3; section++)
        {
            int count = DnsWire.ReadUInt16(message, 6 + (2 * section));
            sections[section] = new List<ResourceRecord>(count);
            for (int i = 0; i < count; i++)
            {
                var record = ReadRecord(message, ref offset);
                if (record.Type != RecordType.OPT)
                {
                    sections[section].Add(record);
                }
            }
        }

        return new ExplainReply(flags & 0xF, (flags & DnsWire.FlagAa) != 0, (flags & DnsWire.FlagTc) != 0,
            sections[0], sections[1], sections[2]);
    }

    private static ResourceRecord ReadRecord(ReadOnlySpan<byte> message, ref int offset)
    {
        var owner = ReadName(message, ref offset);
        if (offset + 10 > message.Length)
        {
            throw new FormatException("record cut short");
        }

        ushort type = DnsWire.ReadUInt16(message, offset);
        ushort @class = DnsWire.ReadUInt16(message, offset + 2);
        uint ttl = DnsWire.ReadUInt32(message, offset + 4);
        int length = DnsWire.ReadUInt16(message, offset + 8);
        int start = offset + 10;
        offset = start + length;
        if (offset > message.Length)
        {
            throw new FormatException("RDATA cut short");
        }

        var names = RecordTypes.NamesIn(type);
        byte[] rdata;
        if (names.Any && names.Compressed && type != RecordType.OPT)
        {
            // Names compressed against the message: write them out in full.
            var expanded = new List<byte>(length + 64);
            expanded.AddRange(message.Slice(start, names.Offset));
            int at = start + names.Offset;
            for (int n = 0; n < names.Count; n++)
            {
                expanded.AddRange(ReadName(message, ref at).Wire);
            }

            expanded.AddRange(message[at..offset]);
            rdata = [.. expanded];
        }
        else
        {
            rdata = message.Slice(start, length).ToArray();
        }

        return new ResourceRecord(owner, type, @class, ttl, rdata);
    }

    /// <summary>Reads a possibly compressed name at <paramref name="offset"/> and moves past it.</summary>
    private static DnsName ReadName(ReadOnlySpan<byte> message, ref int offset)
    {
        Span<byte> wire = stackalloc byte[DnsName.MaxWireLength];
        int length = 0;
        int at = offset;
        bool jumped = false;
        for (int jumps = 0; ;)
        {
            if (at >= message.Length)
            {
                throw new FormatException("name runs past the message");
            }

            byte label = message[at];
            if ((label & 0xC0) == 0xC0)
            {
                if (at + 1 >= message.Length || ++jumps > 64)
                {
                    throw new FormatException("bad compression pointer");
                }

                if (!jumped)
                {
                    offset = at + 2;
                    jumped = true;
                }

                at = ((label & 0x3F) << 8) | message[at + 1];
                continue;
            }

            if (label > DnsName.MaxLabelLength || at + 1 + label > message.Length || length + 1 + label > wire.Length)
            {
                throw new FormatException("bad label");
            }

            message.Slice(at, 1 + label).CopyTo(wire[length..]);
            length += 1 + label;
            at += 1 + label;
            if (label == 0)
            {
                if (!jumped)
                {
                    offset = at;
                }

                return DnsName.FromWire(wire[..length]);
            }
        }
    }
}
