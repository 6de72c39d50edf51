using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Wire;

namespace GeoDns.Fuzz;

/// <summary>The query path from bytes: UDP, TCP framing, and the round trip through a second parser.</summary>
public static class QueryTargets
{
    [ThreadStatic]
    private static byte[]? t_udp;

    [ThreadStatic]
    private static byte[]? t_tcp;

    private static byte[] UdpBuffer => t_udp ??= new byte[DnsWire.ServerUdpPayload];

    private static byte[] TcpBuffer => t_tcp ??= new byte[DnsWire.MaxMessageLength];

    /// <summary>One datagram, answered as the UDP listeners do (1232-octet reply buffer).</summary>
    public static void Udp(ReadOnlySpan<byte> request)
    {
        var server = FuzzServer.Shared;
        var source = server.Prepare(request);
        int length = server.Processor.Process(request, UdpBuffer, source, overTcp: false);
        ReplyChecks.Check(request, UdpBuffer.AsSpan(0, length), overTcp: false);
    }

    /// <summary>
    /// A TCP byte stream, framed as <c>DnsTcpListener</c> frames it (RFC 7766 8: two-octet length,
    /// pipelined messages; a zero length or a message cut short ends the connection).
    /// </summary>
    public static void Tcp(ReadOnlySpan<byte> stream)
    {
        var server = FuzzServer.Shared;
        var response = TcpBuffer;
        int offset = 0;
        for (int messages = 0; messages < 64 && offset + 2 <= stream.Length; messages++)
        {
            int length = (stream[offset] << 8) | stream[offset + 1];
            if (length == 0 || offset + 2 + length > stream.Length)
            {
                return;
            }

            var request = stream.Slice(offset + 2, length);
            var source = server.Prepare(request);
            int answer = server.Processor.Process(request, response, source, overTcp: true);
            if (answer is < 0 or > DnsWire.MaxMessageLength)
            {
                throw Invariant.Fail($"TCP reply length {answer} does not fit the two-octet length prefix");
            }

            ReplyChecks.Check(request, response.AsSpan(0, answer), overTcp: true);
            offset += 2 + length;
        }
    }

    /// <summary>
    /// Parses a query, encodes the reply over UDP and over TCP, and reads both with an independent
    /// parser (ARSoft.Tools.Net): the ID and question are echoed, the counts match the sections,
    /// and TC is set only when the whole reply does not fit.
    /// </summary>
    public static void RoundTrip(ReadOnlySpan<byte> request)
    {
        var server = FuzzServer.Shared;
        var source = server.Prepare(request);
        int udpLength = server.Processor.Process(request, UdpBuffer, source, overTcp: false);
        var udp = UdpBuffer.AsSpan(0, udpLength);
        var udpShape = ReplyChecks.Check(request, udp, overTcp: false);

        server.Prepare(request);
        int tcpLength = server.Processor.Process(request, TcpBuffer, source, overTcp: true);
        var tcp = TcpBuffer.AsSpan(0, tcpLength);
        var tcpShape = ReplyChecks.Check(request, tcp, overTcp: true);
        if (udpShape is null || tcpShape is null)
        {
            if (udpShape != tcpShape)
            {
                throw Invariant.Fail("dropped over one transport and answered over the other");
            }

            return;
        }

        QueryParser.Parse(request, out var query);
        CompareWithSecondParser(request, udp, udpShape, query);
        CompareWithSecondParser(request, tcp, tcpShape, query);

        int limit = ReplyChecks.UdpLimit(query);
        if (udpShape.Truncated && !tcpShape.Truncated && tcpLength <= limit)
        {
            throw Invariant.Fail($"UDP reply has TC although the whole {tcpLength}-octet reply fits in {limit}");
        }

        if (tcpShape.Truncated && tcpLength != 0 && !udpShape.Truncated && query.QType != Core.Dns.RecordType.ANY)
        {
            throw Invariant.Fail("TCP reply truncated where the UDP reply was not");
        }

        if (!udpShape.Truncated && !tcpShape.Truncated && query.QType != Core.Dns.RecordType.ANY)
        {
            if (udpShape.Rcode != tcpShape.Rcode || udpShape.AnswerCount != tcpShape.AnswerCount || udpShape.AuthorityCount != tcpShape.AuthorityCount)
            {
                throw Invariant.Fail($"UDP and TCP replies differ beyond the additional section (rcode {udpShape.Rcode}/{tcpShape.Rcode}, answers {udpShape.AnswerCount}/{tcpShape.AnswerCount}, authority {udpShape.AuthorityCount}/{tcpShape.AuthorityCount})");
            }

            if (udpShape.AdditionalCount > tcpShape.AdditionalCount)
            {
                throw Invariant.Fail("UDP reply has more additional records than the TCP reply");
            }
        }
    }

    private static void CompareWithSecondParser(ReadOnlySpan<byte> request, ReadOnlySpan<byte> reply, ReplyShape shape, in ParsedQuery query)
    {
        DnsMessage message;
        try
        {
            message = DnsMessage.Parse(reply.ToArray());
        }
        catch (Exception e)
        {
            throw new FuzzInvariantException($"ARSoft.Tools.Net cannot parse the reply: {e.GetType().Name}: {e.Message}", e);
        }

        if (message.TransactionID != query.Id)
        {
            throw Invariant.Fail($"second parser reads ID {message.TransactionID}, the query had {query.Id}");
        }

        if (message.IsQuery)
        {
            throw Invariant.Fail("second parser reads the reply as a query");
        }

        // ARSoft keeps the OPT record among the additional records (and also exposes it as EDNS options).
        if (message.Questions.Count != shape.QuestionCount || message.AnswerRecords.Count != shape.AnswerCount
            || message.AuthorityRecords.Count != shape.AuthorityCount || message.AdditionalRecords.Count != shape.AdditionalCount)
        {
            throw Invariant.Fail($"second parser counts {message.Questions.Count}/{message.AnswerRecords.Count}/{message.AuthorityRecords.Count}/{message.AdditionalRecords.Count} records, the header says {shape.QuestionCount}/{shape.AnswerCount}/{shape.AuthorityCount}/{shape.AdditionalCount}");
        }

        if (message.IsEDnsEnabled != shape.HasOpt)
        {
            throw Invariant.Fail("second parser disagrees on the OPT record");
        }

        if (shape.QuestionCount == 1)
        {
            var question = message.Questions[0];
            string? expected = WireCheck.QuestionName(request);
            string actual = question.Name.ToString().ToLowerInvariant();
            if ((ushort)question.RecordType != query.QType || (ushort)question.RecordClass != query.QClass)
            {
                throw Invariant.Fail($"second parser reads the question as {question.RecordType}/{question.RecordClass}, the query asked {query.QType}/{query.QClass}");
            }

            if (expected is not null && !string.Equals(NormalizeName(actual), expected, StringComparison.Ordinal))
            {
                throw Invariant.Fail($"second parser reads the question name as {actual}, the query asked {expected}");
            }
        }
    }

    private static string NormalizeName(string name) => name.EndsWith('.') ? name : name + ".";
}
