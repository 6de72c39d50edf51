using System.Buffers;
using GeoDns.Core.Answers;
using GeoDns.Core.Cookies;
using GeoDns.Core.Dns;
using GeoDns.Core.Dnssec;
using GeoDns.Core.Lookup;
using GeoDns.Core.RateLimiting;
using GeoDns.Core.Wire;

namespace GeoDns.Core;

/// <summary>
/// The whole query path without sockets: request bytes in, reply bytes out. It reads the
/// current snapshot once per query, never locks and never allocates.
/// </summary>
public sealed class QueryProcessor
{
    private Snapshot _snapshot;
    private byte[] _nsid = [];

    public QueryProcessor(Snapshot snapshot)
    {
        _snapshot = snapshot;
        _lookup = Lookup;
    }

    public Snapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary><see cref="Lookup"/> as one delegate, made once: the signer takes it on every signed reply.</summary>
    private readonly Func<byte[], ushort, IReadOnlyList<MessageRecord>> _lookup;

    /// <summary>Publishes a new snapshot; queries already running finish on the old one.</summary>
    public void Swap(Snapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    /// <summary>Online DNSSEC signing of the zones that have keys (null: nothing is signed). Runs only for queries with DO and DNSKEY queries.</summary>
    public ResponseSigner? Signer { get; set; }

    /// <summary>
    /// Answers messages signed with TSIG (their signature is checked and the reply signed off
    /// the query path); null: a signed query is answered like any other, unsigned.
    /// </summary>
    public ISignedQueryHandler? SignedQueries { get; set; }

    /// <summary>Response rate limiting for UDP replies (TCP is never limited); null when off.</summary>
    public ResponseRateLimiter? RateLimiter { get; init; }

    /// <summary>
    /// DNS cookies (RFC 7873, made as RFC 9018 says); null when off, and the COOKIE option is
    /// then ignored as by a server that does not know it. Replaced whole when a reload reads a
    /// new secret; each query reads it once per use.
    /// </summary>
    public ServerCookies? Cookies { get; set; }

    /// <summary>
    /// This server's NSID (RFC 5001), sent to queries that carry the NSID option; empty (the
    /// default): never sent. At most <see cref="DnsWire.MaxNsidLength"/> octets, encoded once.
    /// </summary>
    public ReadOnlyMemory<byte> Nsid
    {
        get => _nsid;
        init
        {
            if (value.Length > DnsWire.MaxNsidLength)
            {
                throw new ArgumentException($"an NSID is at most {DnsWire.MaxNsidLength} octets (got {value.Length})", nameof(value));
            }

            _nsid = value.ToArray();
        }
    }

    /// <summary>
    /// Answers <paramref name="request"/> into <paramref name="response"/> (at least 65535
    /// octets for TCP, <see cref="DnsWire.ServerUdpPayload"/> for UDP). Returns the reply
    /// length, or 0 when nothing should be sent.
    /// </summary>
    public int Process(ReadOnlySpan<byte> request, Span<byte> response, ClientAddress source, bool overTcp) =>
        Process(request, response, source, overTcp, out _);

    /// <inheritdoc cref="Process(ReadOnlySpan{byte}, Span{byte}, ClientAddress, bool)"/>
    /// <param name="outcome">What the query came to (zone, type, RCODE, truncation, traffic decision), for counters.</param>
    public int Process(ReadOnlySpan<byte> request, Span<byte> response, ClientAddress source, bool overTcp, out QueryOutcome outcome)
    {
        Span<byte> cookie = stackalloc byte[ServerCookies.ReplyLength];
        int length = Answer(request, response, source, overTcp, cookie, out outcome, out var query, out var kind, out int nameHash, out int questionEnd);
        if (overTcp || length == 0 || RateLimiter is not { } limiter || outcome.Cookie == CookieOutcome.Valid)
        {
            // A valid server cookie proves the client owns its source address: it is never limited.
            return length;
        }

        outcome.RateLimit = limiter.Check(source, kind, nameHash);
        switch (outcome.RateLimit)
        {
            case RateDecision.Send:
                return length;
            case RateDecision.Slip when outcome.Cookie != CookieOutcome.None:
                // RFC 7873 5.2.3 and 5.2.4 let a server answer a query without a valid server
                // cookie with BADCOOKIE and a fresh one; GeoDns does so in place of a slip, so a
                // real client retries over UDP with the cookie and is let through.
                outcome.ResponseCode = ResponseCode.BadCookie;
                outcome.Truncated = false;
                outcome.SentNsid = false;
                return ResponseWriter.WriteError(response, request, query, ResponseCode.BadCookie, withOpt: true, default, cookie);
            case RateDecision.Slip when questionEnd > 0:
                outcome.Truncated = true;
                outcome.SentNsid = false;
                return WriteSlip(response, questionEnd);
            default:
                outcome.ResponseCode = -1;
                outcome.SentNsid = false;
                return 0;
        }
    }

    /// <summary>Turns the reply in <paramref name="response"/> into TC=1 with the question only.</summary>
    private static int WriteSlip(Span<byte> response, int questionEnd)
    {
        response[2] |= (byte)(DnsWire.FlagTc >> 8);
        DnsWire.WriteUInt16(response, 6, 0);
        DnsWire.WriteUInt16(response, 8, 0);
        DnsWire.WriteUInt16(response, 10, 0);
        return questionEnd;
    }

    private int Answer(ReadOnlySpan<byte> request, Span<byte> response, ClientAddress source, bool overTcp, scoped Span<byte> cookieReply,
        out QueryOutcome outcome, out ParsedQuery query, out ResponseKind kind, out int nameHash, out int questionEnd)
    {
        kind = ResponseKind.Error;
        nameHash = 0;
        questionEnd = 0;
        outcome = default;
        outcome.Region = -1;
        var parsed = QueryParser.Parse(request, out query);
        outcome.QType = query.HasQuestion ? query.QType : (ushort)0;
        outcome.SentNsid = query.WantsNsid && _nsid.Length > 0;
        switch (parsed)
        {
            case ParseOutcome.Drop:
                outcome.ResponseCode = -1;
                outcome.SentNsid = false;
                return 0;
            case ParseOutcome.FormErr:
                outcome.SentNsid = false;
                return Error(response, request, query, ResponseCode.FormErr, withOpt: false, ref outcome, default);
            case ParseOutcome.NoQuestion when Cookies is { } serverCookies && query.HasCookie && ServerCookies.IsWellFormed(query.CookieLength):
                // RFC 7873 5.4: a query for a server cookie alone. NOERROR with a fresh cookie, or
                // BADCOOKIE when the one it carried is not valid.
                outcome.Cookie = serverCookies.Answer(request.Slice(query.CookieOffset, query.CookieLength), source, serverCookies.Now(), cookieReply);
                return Error(response, request, query, outcome.Cookie == CookieOutcome.Bad ? ResponseCode.BadCookie : ResponseCode.NoError,
                    withOpt: true, ref outcome, cookieReply);
            case ParseOutcome.NoQuestion:
                outcome.SentNsid = false;
                return Error(response, request, query, ResponseCode.FormErr, withOpt: false, ref outcome, default);
            case ParseOutcome.NotImp:
                outcome.SentNsid = false;
                return Error(response, request, query, ResponseCode.NotImp, withOpt: false, ref outcome, default);
            case ParseOutcome.BadVers:
                return Error(response, request, query, ResponseCode.BadVers, withOpt: true, ref outcome, default);
        }

        if (query.HasTsig && SignedQueries is { } signed)
        {
            int signedLength = signed.Answer(request, response, source, overTcp);
            outcome.ResponseCode = signedLength > 0 ? response[3] & 0xF : -1;
            return signedLength;
        }

        int cookieLength = 0;
        if (Cookies is { } cookies && query.HasCookie)
        {
            if (!ServerCookies.IsWellFormed(query.CookieLength))
            {
                return Error(response, request, query, ResponseCode.FormErr, withOpt: true, ref outcome, default); // RFC 7873 5.2.2
            }

            outcome.Cookie = cookies.Answer(request.Slice(query.CookieOffset, query.CookieLength), source, cookies.Now(), cookieReply);
            cookieLength = ServerCookies.ReplyLength;
        }

        ReadOnlySpan<byte> cookie = cookieReply[..cookieLength];

        questionEnd = DnsWire.HeaderLength + query.QNameLength + 4;
        if (query.QClass != RecordClass.IN || query.QType is RecordType.AXFR or RecordType.IXFR)
        {
            return Error(response, request, query, ResponseCode.Refused, withOpt: true, ref outcome, cookie);
        }

        if (query.QType == RecordType.OPT)
        {
            return Error(response, request, query, ResponseCode.FormErr, withOpt: true, ref outcome, cookie);
        }

        Span<char> key = stackalloc char[DnsName.MaxWireLength];
        Span<int> labelStarts = stackalloc int[128];
        int labels = ReadKey(request.Slice(DnsWire.HeaderLength, query.QNameLength), key, labelStarts);
        var answer = Snapshot.Resolve(key[..query.QNameLength], labelStarts[..labels], query.QType, overTcp, out outcome.Zone);
        if (answer is null)
        {
            return Error(response, request, query, ResponseCode.Refused, withOpt: true, ref outcome, cookie);
        }

        var name = key[..query.QNameLength];
        if (overTcp || RateLimiter is null)
        {
            // No rate limiting for this reply: its bucket key is never read, so it is not hashed.
        }
        else if (answer.ResponseCode == ResponseCode.NxDomain)
        {
            // BIND keys NXDOMAIN with the zone: random names under one zone share a bucket. The
            // NXDOMAIN body is built for the apex, so its template is the zone's suffix of the name.
            kind = ResponseKind.NxDomain;
            nameHash = string.GetHashCode(name[Math.Max(0, name.Length - answer.TemplateNameLength)..]);
        }
        else if (answer.ResponseCode != ResponseCode.NoError)
        {
            kind = ResponseKind.Error;
        }
        else
        {
            kind = answer.AnswerCount > 0 || answer.Dynamic is not null ? ResponseKind.Answer : ResponseKind.NoData;
            nameHash = string.GetHashCode(name) ^ query.QType;
        }

        var context = new QueryContext
        {
            Client = query.HasClientSubnet ? query.SubnetAddress : source,
            ClientPrefix = query.HasClientSubnet ? query.SubnetSourcePrefix : source.BitLength,
            FromClientSubnet = query.HasClientSubnet,
            Region = -1,
        };
        int limit = overTcp ? DnsWire.MaxMessageLength
            : query.HasEdns ? Math.Min((int)query.EdnsUdpSize, DnsWire.ServerUdpPayload) : DnsWire.MaxUdpPayloadWithoutEdns;
        int length = ResponseWriter.WriteAnswer(response, request, query, answer, limit, ref context, _nsid, cookie);
        if ((query.DnssecOk || ResponseSigner.AnswersKeyType(query.QType)) && Signer is { } signer && outcome.Zone is { } zone && signer.KeysFor(zone) is { } keys)
        {
            try
            {
                length = signer.Sign(response, length, limit, zone, keys, query.DnssecOk, _lookup);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or System.Security.Cryptography.CryptographicException)
            {
                // The signer writes only once it has the whole reply: the unsigned one is still there, and is sent.
            }
        }

        outcome.ResponseCode = response[3] & 0xF;
        outcome.Truncated = (response[2] & (DnsWire.FlagTc >> 8)) != 0;
        outcome.Pool = context.Pool;
        outcome.Region = context.Region;
        outcome.Reason = context.Reason;
        return length;
    }

    /// <summary>The unsigned records this server answers for a name and type (TCP-sized, no client subnet): what the signer adds from elsewhere in the zone.</summary>
    private IReadOnlyList<MessageRecord> Lookup(byte[] name, ushort type)
    {
        Span<byte> request = stackalloc byte[DnsWire.HeaderLength + name.Length + 4];
        request.Clear();
        DnsWire.WriteUInt16(request, 4, 1);
        name.CopyTo(request[DnsWire.HeaderLength..]);
        DnsWire.WriteUInt16(request, DnsWire.HeaderLength + name.Length, type);
        DnsWire.WriteUInt16(request, DnsWire.HeaderLength + name.Length + 2, RecordClass.IN);
        byte[] reply = ArrayPool<byte>.Shared.Rent(DnsWire.MaxMessageLength);
        try
        {
            Span<byte> cookie = stackalloc byte[ServerCookies.ReplyLength];
            int length = Answer(request, reply, default, overTcp: true, cookie, out _, out _, out _, out _, out _);
            return length > 0 && UnsignedReply.TryRead(reply.AsSpan(0, length), out var read) ? read.Answer : [];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(reply);
        }
    }

    private int Error(Span<byte> response, ReadOnlySpan<byte> request, in ParsedQuery query, int rcode, bool withOpt, ref QueryOutcome outcome,
        ReadOnlySpan<byte> cookie)
    {
        outcome.ResponseCode = rcode;
        outcome.SentNsid &= withOpt;
        return ResponseWriter.WriteError(response, request, query, rcode, withOpt, _nsid, cookie);
    }

    private static int ReadKey(ReadOnlySpan<byte> name, Span<char> key, Span<int> labelStarts)
    {
        DnsName.WriteKey(name, key);
        int labels = 0;
        int offset = 0;
        while (name[offset] != 0)
        {
            labelStarts[labels++] = offset;
            offset += name[offset] + 1;
        }

        return labels;
    }
}
