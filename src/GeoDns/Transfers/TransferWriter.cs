using System.Buffers;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;

namespace GeoDns.Transfers;

/// <summary>
/// Packs records into a stream of TCP messages of bounded size (RFC 5936 2.2): the first holds
/// the question, each is signed (chained to the previous MAC) when the request was, and each
/// leaves through <c>send</c> before the next is built, so a zone of any size needs one buffer.
/// </summary>
public sealed class TransferWriter : IDisposable
{
    /// <summary>Records are packed up to about this many octets a message (BIND and Knot use 16 KiB too).</summary>
    public const int TargetMessageSize = 16 * 1024;

    /// <summary>Room kept for the TSIG record at the end of each message.</summary>
    private const int TsigReserve = 512;

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(DnsWire.MaxMessageLength + 2);
    private readonly ushort _id;
    private readonly byte[] _question;
    private readonly TsigKey? _key;
    private readonly Func<ReadOnlyMemory<byte>, ValueTask> _send;
    private readonly Func<long> _now;
    private byte[] _priorMac;
    private int _length;
    private int _records;

    /// <param name="question">The request's question section, copied into the first message.</param>
    /// <param name="requestMac">The request's MAC when it was signed with <paramref name="key"/>.</param>
    /// <param name="send">Sends one framed message (2-octet length first).</param>
    public TransferWriter(ushort id, ReadOnlySpan<byte> question, TsigKey? key, byte[] requestMac, Func<ReadOnlyMemory<byte>, ValueTask> send, Func<long> now)
    {
        _id = id;
        _question = question.ToArray();
        _key = key;
        _priorMac = requestMac;
        _send = send;
        _now = now;
        Start();
    }

    public int Messages { get; private set; }

    public long Records { get; private set; }

    public async ValueTask Add(ResourceRecord record)
    {
        int size = record.Owner.WireLength + 10 + record.RData.Length;
        if (_records > 0 && _length + size > TargetMessageSize + 2)
        {
            await Flush().ConfigureAwait(false);
        }

        if (_length + size > DnsWire.MaxMessageLength + 2 - TsigReserve)
        {
            throw new InvalidOperationException($"record {record.Owner} type {record.Type} does not fit a message");
        }

        var span = _buffer.AsSpan();
        record.Owner.Wire.CopyTo(span[_length..]);
        int at = _length + record.Owner.WireLength;
        DnsWire.WriteUInt16(span, at, record.Type);
        DnsWire.WriteUInt16(span, at + 2, record.Class);
        DnsWire.WriteUInt32(span, at + 4, record.Ttl);
        DnsWire.WriteUInt16(span, at + 8, (ushort)record.RData.Length);
        record.RData.CopyTo(span[(at + 10)..]);
        _length = at + 10 + record.RData.Length;
        _records++;
        Records++;
    }

    /// <summary>Sends what is left (a message is always sent, even without records).</summary>
    public async ValueTask Complete()
    {
        if (_records > 0 || Messages == 0)
        {
            await Flush().ConfigureAwait(false);
        }
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

    private void Start()
    {
        var span = _buffer.AsSpan(2);
        span[..DnsWire.HeaderLength].Clear();
        DnsWire.WriteUInt16(span, 0, _id);
        DnsWire.WriteUInt16(span, 2, DnsWire.FlagQr | DnsWire.FlagAa);
        _length = 2 + DnsWire.HeaderLength;
        if (Messages == 0)
        {
            DnsWire.WriteUInt16(span, 4, 1);
            _question.CopyTo(span[DnsWire.HeaderLength..]);
            _length += _question.Length;
        }

        _records = 0;
    }

    private async ValueTask Flush()
    {
        var message = _buffer.AsSpan(2, DnsWire.MaxMessageLength);
        DnsWire.WriteUInt16(message, 6, (ushort)_records);
        int length = _length - 2;
        if (_key is not null)
        {
            length = Tsig.Sign(message, length, _key, _priorMac, timersOnly: Messages > 0, _now(), out _priorMac);
        }

        DnsWire.WriteUInt16(_buffer, 0, (ushort)length);
        await _send(_buffer.AsMemory(0, length + 2)).ConfigureAwait(false);
        Messages++;
        Start();
    }
}
