using GeoDns.Core.Dns;

namespace GeoDns.Core.Wire;

/// <summary>
/// Reads a request without allocating. Never throws on malformed input: every problem maps
/// to an outcome (FORMERR, NOTIMP, BADVERS or drop).
/// </summary>
public static class QueryParser
{
    public static ParseOutcome Parse(ReadOnlySpan<byte> packet, out ParsedQuery query)
    {
        query = default;
        query.CookieLength = -1;
        if (packet.Length < DnsWire.HeaderLength)
        {
            return ParseOutcome.Drop;
        }

        query.Id = DnsWire.ReadUInt16(packet, 0);
        query.Flags = DnsWire.ReadUInt16(packet, 2);
        query.Opcode = (query.Flags >> DnsWire.OpcodeShift) & 0xF;
        if ((query.Flags & DnsWire.FlagQr) != 0)
        {
            return ParseOutcome.Drop;
        }

        int qdCount = DnsWire.ReadUInt16(packet, 4);
        int anCount = DnsWire.ReadUInt16(packet, 6);
        int nsCount = DnsWire.ReadUInt16(packet, 8);
        int arCount = DnsWire.ReadUInt16(packet, 10);

        if (qdCount >= 1 && TryReadQuestion(packet, ref query))
        {
            // The question is kept for the reply even when something else is wrong.
        }
        else if (qdCount >= 1)
        {
            return ParseOutcome.FormErr;
        }

        if (query.Opcode != 0)
        {
            return ParseOutcome.NotImp;
        }

        if (qdCount > 1)
        {
            return ParseOutcome.FormErr;
        }

        int offset = qdCount == 0 ? DnsWire.HeaderLength : query.QuestionEnd;
        for (int i = 0; i < anCount + nsCount; i++)
        {
            if (!TrySkipRecord(packet, ref offset, out _, out _, out _))
            {
                return ParseOutcome.FormErr;
            }
        }

        for (int i = 0; i < arCount; i++)
        {
            int start = offset;
            if (!TrySkipRecord(packet, ref offset, out ushort type, out int rdataOffset, out int rdataLength))
            {
                return ParseOutcome.FormErr;
            }

            if (type != RecordType.OPT)
            {
                query.HasTsig = type == RecordType.TSIG && i == arCount - 1;
                continue;
            }

            if (query.HasEdns || packet[start] != 0)
            {
                return ParseOutcome.FormErr; // two OPT records, or OPT not owned by the root (RFC 6891 6.1.1)
            }

            query.HasEdns = true;
            query.EdnsUdpSize = Math.Max(DnsWire.ReadUInt16(packet, start + 3), (ushort)DnsWire.MaxUdpPayloadWithoutEdns);
            query.EdnsVersion = packet[start + 6];
            query.DnssecOk = (packet[start + 7] & 0x80) != 0;
            if (!TryReadOptions(packet.Slice(rdataOffset, rdataLength), rdataOffset, ref query))
            {
                return ParseOutcome.FormErr;
            }
        }

        if (query.HasEdns && query.EdnsVersion != 0)
        {
            return ParseOutcome.BadVers;
        }

        return qdCount == 0 ? ParseOutcome.NoQuestion : ParseOutcome.Query;
    }

    private static bool TryReadQuestion(ReadOnlySpan<byte> packet, ref ParsedQuery query)
    {
        int offset = DnsWire.HeaderLength;
        while (true)
        {
            if (offset >= packet.Length)
            {
                return false;
            }

            int len = packet[offset];
            if (len == 0)
            {
                offset++;
                break;
            }

            if (len > DnsName.MaxLabelLength)
            {
                return false; // compression pointer or reserved label type in the question
            }

            offset += len + 1;
            if (offset - DnsWire.HeaderLength >= DnsName.MaxWireLength)
            {
                return false;
            }
        }

        if (offset + 4 > packet.Length)
        {
            return false;
        }

        query.QNameLength = offset - DnsWire.HeaderLength;
        query.QType = DnsWire.ReadUInt16(packet, offset);
        query.QClass = DnsWire.ReadUInt16(packet, offset + 2);
        query.QuestionEnd = offset + 4;
        return true;
    }

    /// <summary>Skips one resource record at <paramref name="offset"/>; returns its type and where its RDATA is.</summary>
    public static bool TrySkipRecord(ReadOnlySpan<byte> packet, ref int offset, out ushort type, out int rdataOffset, out int rdataLength)
    {
        type = 0;
        rdataOffset = 0;
        rdataLength = 0;
        if (!TrySkipName(packet, ref offset) || offset + 10 > packet.Length)
        {
            return false;
        }

        type = DnsWire.ReadUInt16(packet, offset);
        rdataLength = DnsWire.ReadUInt16(packet, offset + 8);
        rdataOffset = offset + 10;
        offset = rdataOffset + rdataLength;
        return offset <= packet.Length;
    }

    private static bool TrySkipName(ReadOnlySpan<byte> packet, ref int offset)
    {
        int total = 0;
        while (offset < packet.Length)
        {
            int len = packet[offset];
            if (len == 0)
            {
                offset++;
                return true;
            }

            if ((len & 0xC0) == 0xC0)
            {
                if (offset + 2 > packet.Length)
                {
                    return false;
                }

                offset += 2;
                return true;
            }

            if (len > DnsName.MaxLabelLength)
            {
                return false;
            }

            total += len + 1;
            offset += len + 1;
            if (total >= DnsName.MaxWireLength)
            {
                return false;
            }
        }

        return false;
    }

    private static bool TryReadOptions(ReadOnlySpan<byte> options, int optionsOffset, ref ParsedQuery query)
    {
        int offset = 0;
        while (offset < options.Length)
        {
            if (offset + 4 > options.Length)
            {
                return false;
            }

            ushort code = DnsWire.ReadUInt16(options, offset);
            int length = DnsWire.ReadUInt16(options, offset + 2);
            offset += 4;
            if (offset + length > options.Length)
            {
                return false;
            }

            if (code == DnsWire.EdnsOptionClientSubnet)
            {
                if (query.HasClientSubnet || !TryReadClientSubnet(options.Slice(offset, length), ref query))
                {
                    return false;
                }
            }
            else if (code == DnsWire.EdnsOptionNsid)
            {
                query.WantsNsid = true; // RFC 5001 2.1: the payload should be empty; any content is ignored
            }
            else if (code == DnsWire.EdnsOptionCookie && !query.HasCookie)
            {
                // Only the first COOKIE is read; its length is judged by the query path, which
                // ignores the option altogether when cookies are off.
                query.CookieOffset = optionsOffset + offset;
                query.CookieLength = length;
            }

            offset += length;
        }

        return true;
    }

    /// <summary>RFC 7871 6: a malformed option, a non-zero SCOPE or stray address bits are FORMERR.</summary>
    private static bool TryReadClientSubnet(ReadOnlySpan<byte> option, ref ParsedQuery query)
    {
        if (option.Length < 4)
        {
            return false;
        }

        ushort family = DnsWire.ReadUInt16(option, 0);
        byte source = option[2];
        byte scope = option[3];
        int maxBits = family switch { 1 => 32, 2 => 128, _ => -1 };
        if (maxBits < 0 || source > maxBits || scope != 0)
        {
            return false;
        }

        var address = option[4..];
        int needed = (source + 7) / 8;
        if (address.Length != needed)
        {
            return false;
        }

        if (needed > 0 && source % 8 != 0 && (address[needed - 1] & (0xFF >> (source % 8))) != 0)
        {
            return false;
        }

        Span<byte> full = stackalloc byte[16];
        full.Clear();
        address.CopyTo(full);
        query.HasClientSubnet = true;
        query.SubnetFamily = family;
        query.SubnetSourcePrefix = source;
        query.SubnetAddress = family == 1
            ? ClientAddress.FromIPv4(DnsWire.ReadUInt32(full, 0))
            : new ClientAddress(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(full), false);
        return true;
    }
}
