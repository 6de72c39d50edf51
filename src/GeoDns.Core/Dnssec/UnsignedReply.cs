using GeoDns.Core.Dns;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Core.Dnssec;

/// <summary>A reply the server wrote, read back into records so that it can be signed and written again.</summary>
public sealed class UnsignedReply
{
    public ushort Id;
    public ushort Flags;
    public byte[] QName = [];
    public ushort QType;
    public readonly List<MessageRecord> Answer = [];
    public readonly List<MessageRecord> Authority = [];
    public readonly List<MessageRecord> Additional = [];

    /// <summary>The OPT record as written (it holds no names), empty when the query had no EDNS.</summary>
    public byte[] Opt = [];

    public int ResponseCode => Flags & 0xF;

    public bool Authoritative => (Flags & DnsWire.FlagAa) != 0;

    public bool Truncated => (Flags & DnsWire.FlagTc) != 0;

    /// <summary>Reads <paramref name="message"/>; false when it is not a reply with one question.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out UnsignedReply reply)
    {
        reply = new UnsignedReply
        {
            Id = DnsWire.ReadUInt16(message, 0),
            Flags = DnsWire.ReadUInt16(message, 2),
        };
        if (DnsWire.ReadUInt16(message, 4) != 1)
        {
            return false;
        }

        int position = DnsWire.HeaderLength;
        reply.QName = ReadName(message, ref position);
        reply.QType = DnsWire.ReadUInt16(message, position);
        position += 4;
        int[] counts = [DnsWire.ReadUInt16(message, 6), DnsWire.ReadUInt16(message, 8), DnsWire.ReadUInt16(message, 10)];
        List<MessageRecord>[] sections = [reply.Answer, reply.Authority, reply.Additional];
        for (int s = 0; s < 3; s++)
        {
            for (int i = 0; i < counts[s]; i++)
            {
                int start = position;
                byte[] owner = ReadName(message, ref position);
                ushort type = DnsWire.ReadUInt16(message, position);
                ushort @class = DnsWire.ReadUInt16(message, position + 2);
                uint ttl = DnsWire.ReadUInt32(message, position + 4);
                int length = DnsWire.ReadUInt16(message, position + 8);
                position += 10;
                if (type == RecordType.OPT)
                {
                    reply.Opt = message[start..(position + length)].ToArray();
                }
                else
                {
                    sections[s].Add(new MessageRecord(owner, type, @class, ttl, ReadRData(message, position, length, type)));
                }

                position += length;
            }
        }

        return true;
    }

    /// <summary>RDATA with its compressed names expanded (the types of RFC 1035 the encoder compresses).</summary>
    private static byte[] ReadRData(ReadOnlySpan<byte> message, int start, int length, ushort type)
    {
        var names = RecordTypes.NamesIn(type);
        if (!names.Compressed)
        {
            return message.Slice(start, length).ToArray();
        }

        var rdata = new List<byte>(length + 32);
        rdata.AddRange(message.Slice(start, names.Offset));
        int position = start + names.Offset;
        for (int i = 0; i < names.Count; i++)
        {
            rdata.AddRange(ReadName(message, ref position));
        }

        rdata.AddRange(message[position..(start + length)]);
        return [.. rdata];
    }

    /// <summary>Reads a possibly compressed name at <paramref name="position"/> and moves past it.</summary>
    public static byte[] ReadName(ReadOnlySpan<byte> message, ref int position)
    {
        Span<byte> name = stackalloc byte[DnsName.MaxWireLength];
        int length = 0;
        int offset = position;
        bool jumped = false;
        for (int hops = 0; hops < 128; hops++)
        {
            int label = message[offset];
            if ((label & 0xC0) == 0xC0)
            {
                if (!jumped)
                {
                    position = offset + 2;
                    jumped = true;
                }

                offset = DnsWire.ReadUInt16(message, offset) & 0x3FFF;
                continue;
            }

            message.Slice(offset, label + 1).CopyTo(name[length..]);
            length += label + 1;
            offset += label + 1;
            if (label == 0)
            {
                if (!jumped)
                {
                    position = offset;
                }

                return name[..length].ToArray();
            }
        }

        throw new InvalidOperationException("compression loop in a reply the server wrote");
    }
}
