using System.Diagnostics;
using GeoDns.Core;
using GeoDns.Core.Dns;
using GeoDns.Core.Lookup;
using GeoDns.Core.Transfers;
using GeoDns.Core.Wire;
using GeoDns.Server;
using Microsoft.Extensions.Logging;

namespace GeoDns.Transfers;

/// <summary>
/// AXFR (RFC 5936) and IXFR (RFC 1995: the pools' changes since the client's serial from
/// <see cref="ZoneVersions"/>, else the whole zone, 4.)
/// over TCP for zones a <see cref="TransferPolicy"/> rule allows, with TSIG (RFC 8945) on every
/// message, and signed answers to TSIG-signed queries (a secondary's SOA checks). Everything else
/// is REFUSED, a bad signature NOTAUTH with BADKEY/BADSIG/BADTIME; each refusal is one log line.
/// </summary>
public sealed class ZoneTransfers : IZoneTransferHandler, ISignedQueryHandler
{
    private readonly QueryProcessor _processor;
    private readonly TransferPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger<ZoneTransfers> _logger;
    private readonly ZoneVersions _versions;

    public ZoneTransfers(QueryProcessor processor, TransferPolicy policy, ZoneVersions versions, TimeProvider time, ILogger<ZoneTransfers> logger)
    {
        _versions = versions;
        _processor = processor;
        _policy = policy;
        _time = time;
        _logger = logger;
        processor.SignedQueries = this;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();

    public bool IsTransfer(ReadOnlySpan<byte> request) =>
        request.Length > DnsWire.HeaderLength && (request[2] & 0xF8) == 0 && // a query, opcode 0
        DnsMessage.QuestionEnd(request, out _, out ushort qtype) > 0 && qtype is RecordType.AXFR or RecordType.IXFR;

    public async Task Serve(ReadOnlyMemory<byte> request, ClientAddress source, Func<ReadOnlyMemory<byte>, ValueTask> send, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        int questionEnd = DnsMessage.QuestionEnd(request.Span, out byte[] qname, out ushort qtype);
        string kind = qtype == RecordType.IXFR ? "IXFR" : "AXFR";
        var zoneName = DnsName.FromWire(qname);
        var zone = _processor.Snapshot.Find(zoneName.Key);
        var signed = IsSigned(request.Span);
        var check = signed ? Tsig.Verify(request.Span, _policy.Keys, Now()) : null;

        string? refusal = null;
        int rcode = ResponseCode.Refused;
        if (check is { Status: not TsigStatus.Valid })
        {
            rcode = check.Status == TsigStatus.FormErr ? ResponseCode.FormErr : ResponseCode.NotAuth;
            refusal = $"TSIG {check.Status} (key {check.KeyText})";
        }
        else if (zone is null)
        {
            rcode = ResponseCode.NotAuth;
            refusal = "not a zone served here";
        }
        else if (_policy.RuleFor(zone.Apex) is not { } rule)
        {
            refusal = "no Transfer rule for the zone";
        }
        else if (check is null)
        {
            refusal = "not signed (a transfer needs a TSIG key)";
        }
        else if (!rule.Keys.Contains(check.Key!))
        {
            refusal = $"key {check.KeyText} is not allowed for the zone";
        }
        else if (!rule.Allows(source))
        {
            refusal = "source address not allowed";
        }
        else if (_processor.Signer?.KeysFor(zone) is not null)
        {
            // Answers are signed per query; a transfer would hand out the zone without its
            // signatures and NSEC proofs, and a secondary serving that copy would be bogus.
            refusal = "the zone is signed online (DNSSEC keys in --keys): signed zones are not transferred";
        }
        else if (zone.Source is null)
        {
            refusal = "the zone has no file to transfer";
        }

        if (refusal is not null)
        {
            TransferLog.Refused(_logger, kind, zoneName.ToString(), source.ToString(), refusal);
            await SendError(request, questionEnd, rcode, check, send).ConfigureAwait(false);
            return;
        }

        using var writer = new TransferWriter(DnsWire.ReadUInt16(request.Span, 0), request.Span[DnsWire.HeaderLength..questionEnd],
            check!.Key, check.Mac, send, Now);
        // The pools as they were when the serial was taken (so a serial always means the same
        // records, which IXFR's steps build on); as they are now in the instant before it is.
        var history = _versions.For(zone!.Apex);
        var version = history?.Current is { } current && ReferenceEquals(current.Zone, zone) ? current : null;
        var records = ZoneView.Records(zone, zone.Serial, version?.PoolRecords);
        uint? clientSerial = qtype == RecordType.IXFR ? IxfrSerial(request.Span, questionEnd) : null;
        if (clientSerial is { } have && !SerialIsBefore(have, zone.Serial))
        {
            // The secondary is current: the SOA alone says so (RFC 1995 2).
            await writer.Add(records.First()).ConfigureAwait(false);
        }
        else if (clientSerial is { } from && version is not null && history!.StepsFrom(from) is { } steps)
        {
            // RFC 1995 2: the new SOA, then per step the old SOA, what went, the new SOA, what came; the new SOA last.
            var soa = records.First();
            await writer.Add(soa).ConfigureAwait(false);
            foreach (var step in steps)
            {
                await writer.Add(ZoneView.WithSerial(soa, step.From)).ConfigureAwait(false);
                foreach (var record in step.Deleted)
                {
                    await writer.Add(record).ConfigureAwait(false);
                }

                await writer.Add(ZoneView.WithSerial(soa, step.To)).ConfigureAwait(false);
                foreach (var record in step.Added)
                {
                    await writer.Add(record).ConfigureAwait(false);
                }
            }

            await writer.Add(soa).ConfigureAwait(false);
            kind = $"IXFR (incremental, {steps.Count} steps)";
        }
        else
        {
            ResourceRecord? soa = null;
            foreach (var record in records)
            {
                token.ThrowIfCancellationRequested();
                soa ??= record;
                await writer.Add(record).ConfigureAwait(false);
            }

            await writer.Add(soa!).ConfigureAwait(false);
        }

        await writer.Complete().ConfigureAwait(false);
        TransferLog.Sent(_logger, kind, zoneName.ToString(), zone.Serial, source.ToString(), check.KeyText, writer.Records, writer.Messages, watch.ElapsedMilliseconds);
    }

    /// <summary>RFC 1982: whether serial <paramref name="a"/> is before <paramref name="b"/>.</summary>
    public static bool SerialIsBefore(uint a, uint b) => a != b && (int)(b - a) > 0;

    private static bool IsSigned(ReadOnlySpan<byte> message)
    {
        int last = DnsMessage.LastRecordStart(message);
        int offset = last;
        return last > 0 && DnsWire.ReadUInt16(message, 10) > 0 && DnsMessage.TrySkipRecord(message, ref offset, out ushort type, out _, out _) &&
            type == RecordType.TSIG;
    }

    /// <summary>The serial of the SOA in an IXFR request's authority section, or null.</summary>
    private static uint? IxfrSerial(ReadOnlySpan<byte> request, int questionEnd)
    {
        if (DnsWire.ReadUInt16(request, 6) != 0 || DnsWire.ReadUInt16(request, 8) != 1)
        {
            return null;
        }

        int offset = questionEnd;
        return DnsMessage.TrySkipRecord(request, ref offset, out ushort type, out int rdata, out int length) &&
            type == RecordType.SOA && length >= 20
            ? DnsWire.ReadUInt32(request, rdata + length - 20)
            : null;
    }

    private async ValueTask SendError(ReadOnlyMemory<byte> request, int questionEnd, int rcode, TsigCheck? check, Func<ReadOnlyMemory<byte>, ValueTask> send)
    {
        var buffer = new byte[2 + 1024 + Math.Max(0, questionEnd)];
        int length = WriteError(request.Span, buffer.AsSpan(2), questionEnd, rcode, check);
        DnsWire.WriteUInt16(buffer, 0, (ushort)length);
        await send(buffer.AsMemory(0, length + 2)).ConfigureAwait(false);
    }

    /// <summary>Header and question with <paramref name="rcode"/>, and the TSIG RFC 8945 5.3 asks for.</summary>
    private int WriteError(ReadOnlySpan<byte> request, Span<byte> response, int questionEnd, int rcode, TsigCheck? check)
    {
        int length = DnsWire.HeaderLength;
        response[..DnsWire.HeaderLength].Clear();
        request[..2].CopyTo(response);
        DnsWire.WriteUInt16(response, 2, (ushort)(DnsWire.FlagQr | (DnsWire.ReadUInt16(request, 2) & 0x7900) | rcode));
        if (questionEnd > 0)
        {
            DnsWire.WriteUInt16(response, 4, 1);
            request[DnsWire.HeaderLength..questionEnd].CopyTo(response[DnsWire.HeaderLength..]);
            length = questionEnd;
        }

        return check switch
        {
            null or { Status: TsigStatus.FormErr } => length,
            { Status: TsigStatus.BadKey } => Tsig.AppendUnsigned(response, length, check, Tsig.BadKey),
            { Status: TsigStatus.BadSig } => Tsig.AppendUnsigned(response, length, check, Tsig.BadSig),
            { Status: TsigStatus.BadTime } => Tsig.Sign(response, length, check.Key!, check.Mac, false, Now(), out _, Tsig.BadTime, Tsig.Time48(Now())),
            _ => Tsig.Sign(response, length, check.Key!, check.Mac, false, Now(), out _),
        };
    }

    /// <summary>
    /// Lowers the EDNS UDP size of the (unsigned) query by what the TSIG will take, so the reply
    /// is truncated early enough for the signed one to fit what the client can receive.
    /// </summary>
    private static void ReserveRoomForTsig(byte[] query, TsigKey key)
    {
        int reserve = key.Name.WireLength + 10 + key.AlgorithmName.WireLength + 16 + key.MacLength;
        int offset = DnsWire.HeaderLength;
        if (DnsMessage.QuestionEnd(query, out _, out _) is var end and > 0)
        {
            offset = end;
        }

        int records = DnsWire.ReadUInt16(query, 6) + DnsWire.ReadUInt16(query, 8) + DnsWire.ReadUInt16(query, 10);
        for (int i = 0; i < records; i++)
        {
            int start = offset;
            if (!DnsMessage.TrySkipRecord(query, ref offset, out ushort type, out _, out _))
            {
                return;
            }

            if (type == RecordType.OPT)
            {
                int sizeAt = start + 3; // root owner (1), type (2), then the UDP size
                int size = Math.Min((int)DnsWire.ReadUInt16(query, sizeAt), DnsWire.ServerUdpPayload);
                DnsWire.WriteUInt16(query, sizeAt, (ushort)Math.Max(DnsWire.MaxUdpPayloadWithoutEdns, size - reserve));
                return;
            }
        }
    }

    /// <summary>A signed query that is not a transfer: answered as usual, the reply signed (or the TSIG error).</summary>
    public int Answer(ReadOnlySpan<byte> request, Span<byte> response, ClientAddress source, bool overTcp)
    {
        var check = Tsig.Verify(request, _policy.Keys, Now());
        int questionEnd = DnsMessage.QuestionEnd(request, out byte[] qname, out _);
        if (check.Status != TsigStatus.Valid)
        {
            TransferLog.SignedQueryRefused(_logger, qname.Length > 0 ? DnsName.FromWire(qname).ToString() : "?", source.ToString(), $"TSIG {check.Status} (key {check.KeyText})");
            return WriteError(request, response, questionEnd, check.Status == TsigStatus.FormErr ? ResponseCode.FormErr : ResponseCode.NotAuth, check);
        }

        // The query without its TSIG (ARCOUNT one less) goes the ordinary way; then the reply is signed.
        var unsigned = request[..check.RecordStart].ToArray();
        DnsWire.WriteUInt16(unsigned, 10, (ushort)(DnsWire.ReadUInt16(unsigned, 10) - 1));
        if (!overTcp)
        {
            ReserveRoomForTsig(unsigned, check.Key!);
        }

        int length = _processor.Process(unsigned, response, source, overTcp);
        if (length == 0)
        {
            return 0;
        }

        int signedLength = Tsig.Sign(response, length, check.Key!, check.Mac, false, Now(), out _);
        return signedLength < 0 ? 0 : signedLength; // no room left for the TSIG: unanswered, the client retries over TCP
    }
}
