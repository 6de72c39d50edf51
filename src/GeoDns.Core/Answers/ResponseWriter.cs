using GeoDns.Core.Dns;
using GeoDns.Core.Wire;

namespace GeoDns.Core.Answers;

/// <summary>Assembles replies from prepared bodies into a caller's buffer. Allocation-free.</summary>
public static class ResponseWriter
{
    private const int OptFixedLength = 11;

    /// <summary>
    /// Writes the reply for <paramref name="answer"/>; returns its length. <paramref name="nsid"/>
    /// is this server's identifier, sent in the OPT record when the query asked for it (RFC 5001);
    /// <paramref name="cookie"/> the COOKIE payload (RFC 7873) to send, empty for none.
    /// </summary>
    public static int WriteAnswer(Span<byte> response, ReadOnlySpan<byte> request, in ParsedQuery query,
        PreparedAnswer answer, int limit, ref QueryContext context, ReadOnlySpan<byte> nsid = default, ReadOnlySpan<byte> cookie = default)
    {
        int questionEnd = query.QuestionEnd;
        request[DnsWire.HeaderLength..questionEnd].CopyTo(response[DnsWire.HeaderLength..]);
        int available = Math.Min(limit, response.Length) - OptLength(query, nsid, cookie);
        int delta = query.QNameLength - answer.TemplateNameLength;
        int position = questionEnd;
        bool truncated = false;
        int answerCount = answer.AnswerCount;
        int authorityCount = answer.AuthorityCount;
        int additionalCount = answer.AdditionalCount;

        if (answer.Dynamic is { } dynamic)
        {
            int ownerOffset = answer.DynamicOwnerOffset == DnsWire.HeaderLength ? DnsWire.HeaderLength : answer.DynamicOwnerOffset + delta;
            int written = -1;
            int count = 0;
            if (position + answer.Body.Count <= available)
            {
                CopyBody(answer, answer.Body.Count, delta, response[position..]);
                int tail = position + answer.Body.Count;
                written = dynamic.Write(response[tail..available], ownerOffset, ref context, out count);
            }

            if (written < 0)
            {
                truncated = true;
            }
            else if (count == 0 && answer.DynamicEmpty is { } empty)
            {
                return WriteAnswer(response, request, query, empty, limit, ref context, nsid, cookie);
            }
            else
            {
                position += answer.Body.Count + written;
                answerCount += count;
            }
        }
        else if (position + answer.Body.Count <= available)
        {
            CopyBody(answer, answer.Body.Count, delta, response[position..]);
            position += answer.Body.Count;
        }
        else if (!answer.AdditionalRequired && position + answer.LengthWithoutAdditional <= available)
        {
            CopyBody(answer, answer.LengthWithoutAdditional, delta, response[position..]);
            position += answer.LengthWithoutAdditional;
            additionalCount = 0;
        }
        else
        {
            truncated = true;
        }

        if (truncated)
        {
            position = questionEnd;
            answerCount = authorityCount = additionalCount = 0;
        }

        int flags = DnsWire.FlagQr | (query.Flags & (DnsWire.FlagRd | DnsWire.FlagCd)) | (answer.ResponseCode & 0xF);
        if (answer.Authoritative)
        {
            flags |= DnsWire.FlagAa;
        }

        if (truncated)
        {
            flags |= DnsWire.FlagTc;
        }

        WriteHeader(response, query.Id, (ushort)flags, 1, answerCount, authorityCount, additionalCount);
        return WriteOpt(response, position, query, answer.ResponseCode, context.ScopePrefix, nsid, cookie);
    }

    /// <summary>A reply carrying only an RCODE (and the question when it could be read).</summary>
    public static int WriteError(Span<byte> response, ReadOnlySpan<byte> request, in ParsedQuery query, int rcode, bool withOpt,
        ReadOnlySpan<byte> nsid = default, ReadOnlySpan<byte> cookie = default)
    {
        int position = DnsWire.HeaderLength;
        int questions = 0;
        if (query.HasQuestion)
        {
            request[DnsWire.HeaderLength..query.QuestionEnd].CopyTo(response[DnsWire.HeaderLength..]);
            position = query.QuestionEnd;
            questions = 1;
        }

        // CD is defined for QUERY only (RFC 4035 3.2.2), so a reply to another opcode (NOTIMP)
        // clears it. RD is kept for every opcode: RFC 1035 4.1.1 says it is copied into the response,
        // and Knot (knot_pkt_init_response copies the header, clearing only TC, AD, RA, AA and Z)
        // echoes it in its NOTIMP too, so a client that matches on it sees what it sent.
        int echoed = query.Opcode == 0 ? DnsWire.FlagRd | DnsWire.FlagCd : DnsWire.FlagRd;
        int flags = DnsWire.FlagQr | (query.Opcode << DnsWire.OpcodeShift) | (query.Flags & echoed) | (rcode & 0xF);
        WriteHeader(response, query.Id, (ushort)flags, questions, 0, 0, 0);
        return withOpt && query.HasEdns ? WriteOpt(response, position, query, rcode, 0, nsid, cookie) : position;
    }

    private static void CopyBody(PreparedAnswer answer, int length, int delta, Span<byte> destination)
    {
        answer.Body.AsSpan(0, length).CopyTo(destination);
        if (delta == 0)
        {
            return;
        }

        foreach (int fixup in answer.Fixups)
        {
            if (fixup >= length)
            {
                break;
            }

            int pointer = DnsWire.ReadUInt16(destination, fixup) & 0x3FFF;
            DnsWire.WriteUInt16(destination, fixup, (ushort)(0xC000 | (pointer + delta)));
        }
    }

    private static void WriteHeader(Span<byte> response, ushort id, ushort flags, int questions, int answers, int authority, int additional)
    {
        DnsWire.WriteUInt16(response, 0, id);
        DnsWire.WriteUInt16(response, 2, flags);
        DnsWire.WriteUInt16(response, 4, (ushort)questions);
        DnsWire.WriteUInt16(response, 6, (ushort)answers);
        DnsWire.WriteUInt16(response, 8, (ushort)authority);
        DnsWire.WriteUInt16(response, 10, (ushort)additional);
    }

    private static int OptLength(in ParsedQuery query, ReadOnlySpan<byte> nsid, ReadOnlySpan<byte> cookie)
    {
        if (!query.HasEdns)
        {
            return 0;
        }

        int length = query.HasClientSubnet ? OptFixedLength + 8 + ((query.SubnetSourcePrefix + 7) / 8) : OptFixedLength;
        length += cookie.IsEmpty ? 0 : 4 + cookie.Length;
        return query.WantsNsid && !nsid.IsEmpty ? length + 4 + nsid.Length : length;
    }

    /// <summary>Appends the OPT record (RFC 6891) and bumps ARCOUNT; returns the new length.</summary>
    private static int WriteOpt(Span<byte> response, int position, in ParsedQuery query, int rcode, int scopePrefix,
        ReadOnlySpan<byte> nsid, ReadOnlySpan<byte> cookie)
    {
        if (!query.HasEdns)
        {
            return position;
        }

        response[position] = 0;
        DnsWire.WriteUInt16(response, position + 1, RecordType.OPT);
        DnsWire.WriteUInt16(response, position + 3, DnsWire.ServerUdpPayload);
        response[position + 5] = (byte)(rcode >> 4);
        response[position + 6] = 0;
        response[position + 7] = query.DnssecOk ? (byte)0x80 : (byte)0;
        response[position + 8] = 0;
        int rdataLength = 0;
        if (query.HasClientSubnet)
        {
            int addressBytes = (query.SubnetSourcePrefix + 7) / 8;
            int option = position + OptFixedLength;
            DnsWire.WriteUInt16(response, option, DnsWire.EdnsOptionClientSubnet);
            DnsWire.WriteUInt16(response, option + 2, (ushort)(4 + addressBytes));
            DnsWire.WriteUInt16(response, option + 4, query.SubnetFamily);
            response[option + 6] = query.SubnetSourcePrefix;
            response[option + 7] = (byte)Math.Clamp(scopePrefix, 0, query.SubnetSourcePrefix);
            WriteAddressPrefix(response.Slice(option + 8, addressBytes), query.SubnetAddress);
            rdataLength = 8 + addressBytes;
        }

        if (query.WantsNsid && !nsid.IsEmpty)
        {
            int option = position + OptFixedLength + rdataLength;
            DnsWire.WriteUInt16(response, option, DnsWire.EdnsOptionNsid);
            DnsWire.WriteUInt16(response, option + 2, (ushort)nsid.Length);
            nsid.CopyTo(response[(option + 4)..]);
            rdataLength += 4 + nsid.Length;
        }

        if (!cookie.IsEmpty)
        {
            int option = position + OptFixedLength + rdataLength;
            DnsWire.WriteUInt16(response, option, DnsWire.EdnsOptionCookie);
            DnsWire.WriteUInt16(response, option + 2, (ushort)cookie.Length);
            cookie.CopyTo(response[(option + 4)..]);
            rdataLength += 4 + cookie.Length;
        }

        DnsWire.WriteUInt16(response, position + 9, (ushort)rdataLength);
        DnsWire.WriteUInt16(response, 10, (ushort)(DnsWire.ReadUInt16(response, 10) + 1));
        return position + OptFixedLength + rdataLength;
    }

    private static void WriteAddressPrefix(Span<byte> destination, ClientAddress address)
    {
        Span<byte> full = stackalloc byte[16];
        if (address.IsIPv4)
        {
            DnsWire.WriteUInt32(full, 0, (uint)address.Value);
        }
        else
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(full, address.Value);
        }

        full[..destination.Length].CopyTo(destination);
    }
}
