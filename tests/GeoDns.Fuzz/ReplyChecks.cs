using GeoDns.Core.Wire;

namespace GeoDns.Fuzz;

/// <summary>What every reply to a request must satisfy, whatever the request was.</summary>
public static class ReplyChecks
{
    /// <summary>The largest UDP reply a request may get (RFC 1035 4.2.1, RFC 6891 6.2.5).</summary>
    public static int UdpLimit(in ParsedQuery query) =>
        query.HasEdns ? Math.Min((int)query.EdnsUdpSize, DnsWire.ServerUdpPayload) : DnsWire.MaxUdpPayloadWithoutEdns;

    /// <summary>
    /// Checks <paramref name="reply"/> (empty when nothing was sent) against
    /// <paramref name="request"/>, read again by <see cref="QueryParser"/>; returns its shape, or
    /// null for no reply.
    /// </summary>
    public static ReplyShape? Check(ReadOnlySpan<byte> request, ReadOnlySpan<byte> reply, bool overTcp, bool opaqueTypes = true)
    {
        var outcome = QueryParser.Parse(request, out var query);
        if (outcome == ParseOutcome.Drop)
        {
            if (reply.Length != 0)
            {
                throw Invariant.Fail($"a {reply.Length}-octet reply to a request that should be dropped");
            }

            return null;
        }

        if (reply.Length == 0)
        {
            throw Invariant.Fail($"no reply to a request the parser read as {outcome}");
        }

        var shape = WireCheck.Walk(reply, opaqueTypes);
        if (shape.Id != query.Id)
        {
            throw Invariant.Fail($"reply ID {shape.Id} does not echo the query's {query.Id}");
        }

        if ((shape.Flags & DnsWire.FlagQr) == 0)
        {
            throw Invariant.Fail("reply without QR");
        }

        if ((shape.Flags & DnsWire.FlagRd) != (query.Flags & DnsWire.FlagRd))
        {
            throw Invariant.Fail("reply does not echo RD");
        }

        if (((shape.Flags >> DnsWire.OpcodeShift) & 0xF) != query.Opcode)
        {
            throw Invariant.Fail("reply does not echo the opcode");
        }

        int expectedQuestions = query.HasQuestion ? 1 : 0;
        if (shape.QuestionCount != expectedQuestions)
        {
            throw Invariant.Fail($"reply has {shape.QuestionCount} questions, expected {expectedQuestions}");
        }

        if (query.HasQuestion && !reply[DnsWire.HeaderLength..shape.QuestionEnd].SequenceEqual(request[DnsWire.HeaderLength..query.QuestionEnd]))
        {
            throw Invariant.Fail("reply question is not the query's question, octet for octet");
        }

        int? expectedRcode = outcome switch
        {
            ParseOutcome.FormErr => ResponseCode.FormErr,
            ParseOutcome.NotImp => ResponseCode.NotImp,
            ParseOutcome.BadVers => ResponseCode.BadVers,
            _ => null,
        };
        if (expectedRcode is { } rcode && shape.Rcode != rcode)
        {
            throw Invariant.Fail($"{outcome} request answered with RCODE {shape.Rcode}");
        }

        if (outcome == ParseOutcome.Query && shape.Rcode is not (ResponseCode.NoError or ResponseCode.NxDomain or ResponseCode.Refused or ResponseCode.FormErr))
        {
            throw Invariant.Fail($"query answered with unexpected RCODE {shape.Rcode}");
        }

        // No question: FORMERR without OPT, or (cookies on, RFC 7873 5.4) NOERROR or BADCOOKIE with OPT.
        if (outcome == ParseOutcome.NoQuestion && (shape.Rcode is not (ResponseCode.FormErr or ResponseCode.NoError or ResponseCode.BadCookie)
            || (shape.Rcode != ResponseCode.FormErr && !query.HasCookie)))
        {
            throw Invariant.Fail($"request without a question answered with RCODE {shape.Rcode}");
        }

        bool optExpected = query.HasEdns && (outcome is ParseOutcome.Query or ParseOutcome.BadVers
            || (outcome == ParseOutcome.NoQuestion && shape.Rcode != ResponseCode.FormErr));
        if (shape.HasOpt != optExpected)
        {
            throw Invariant.Fail(optExpected ? "EDNS query answered without OPT" : "OPT in the reply to a request without (valid) EDNS");
        }

        if (shape.HasOpt && query.HasClientSubnet)
        {
            CheckSubnetEcho(query, shape);
        }

        if (shape.HasOpt && shape.OptDnssecOk != query.DnssecOk)
        {
            throw Invariant.Fail("reply DO bit does not echo the query's");
        }

        int limit = overTcp ? DnsWire.MaxMessageLength : UdpLimit(query);
        if (reply.Length > limit)
        {
            throw Invariant.Fail($"{reply.Length}-octet reply over the {limit}-octet limit ({(overTcp ? "TCP" : "UDP")})");
        }

        if (shape.Truncated && (shape.AnswerCount != 0 || shape.AuthorityCount != 0 || shape.AdditionalCount != (shape.HasOpt ? 1 : 0)))
        {
            throw Invariant.Fail("TC reply carries records besides the question and OPT");
        }

        return shape;
    }

    private static void CheckSubnetEcho(in ParsedQuery query, ReplyShape shape)
    {
        if (!shape.HasSubnet)
        {
            throw Invariant.Fail("query with Client Subnet answered without it (RFC 7871 7.2.1)");
        }

        if (shape.SubnetFamily != query.SubnetFamily || shape.SubnetSource != query.SubnetSourcePrefix)
        {
            throw Invariant.Fail("reply Client Subnet family or source prefix differs from the query's");
        }

        if (shape.SubnetScope > shape.SubnetSource)
        {
            throw Invariant.Fail($"reply Client Subnet scope /{shape.SubnetScope} is longer than the source /{shape.SubnetSource}");
        }

        Span<byte> full = stackalloc byte[16];
        if (query.SubnetAddress.IsIPv4)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(full, (uint)query.SubnetAddress.Value);
        }
        else
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(full, query.SubnetAddress.Value);
        }

        if (!full[..shape.SubnetAddress.Length].SequenceEqual(shape.SubnetAddress))
        {
            throw Invariant.Fail("reply Client Subnet address differs from the query's");
        }
    }
}
