using GeoDns.Core.Dns;
using GeoDns.Core.Wire;

namespace GeoDns.Core.Dnssec;

/// <summary>Writes a signed reply: owner names compressed against earlier names, RDATA as given (uncompressed).</summary>
internal sealed class ReplyWriter : IDisposable
{
    // Rented: a fresh 64 KiB buffer per signed reply cost more than the rest of a cache hit.
    private readonly byte[] _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(DnsWire.MaxMessageLength + 512);
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal);
    private int _position = DnsWire.HeaderLength;

    public int Length => _position;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _position);

    public void Dispose() => System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);

    public void Header(ushort id, ushort flags, int questions, int answers, int authority, int additional)
    {
        DnsWire.WriteUInt16(_buffer, 0, id);
        DnsWire.WriteUInt16(_buffer, 2, flags);
        DnsWire.WriteUInt16(_buffer, 4, (ushort)questions);
        DnsWire.WriteUInt16(_buffer, 6, (ushort)answers);
        DnsWire.WriteUInt16(_buffer, 8, (ushort)authority);
        DnsWire.WriteUInt16(_buffer, 10, (ushort)additional);
    }

    public void Question(byte[] name, ushort type)
    {
        Name(name);
        DnsWire.WriteUInt16(_buffer, _position, type);
        DnsWire.WriteUInt16(_buffer, _position + 2, RecordClass.IN);
        _position += 4;
    }

    public void Record(MessageRecord record)
    {
        Name(record.Owner);
        DnsWire.WriteUInt16(_buffer, _position, record.Type);
        DnsWire.WriteUInt16(_buffer, _position + 2, record.Class);
        DnsWire.WriteUInt32(_buffer, _position + 4, record.Ttl);
        DnsWire.WriteUInt16(_buffer, _position + 8, (ushort)record.RData.Length);
        _position += 10;
        record.RData.CopyTo(_buffer, _position);
        _position += record.RData.Length;
    }

    public void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_position));
        _position += bytes.Length;
    }

    private void Name(ReadOnlySpan<byte> name)
    {
        int offset = 0;
        while (name[offset] != 0)
        {
            string suffix = Names.Key(name[offset..]);
            if (_names.TryGetValue(suffix, out int target))
            {
                DnsWire.WriteUInt16(_buffer, _position, (ushort)(0xC000 | target));
                _position += 2;
                return;
            }

            if (_position < 0x3FFF)
            {
                _names[suffix] = _position;
            }

            int label = name[offset];
            name.Slice(offset, label + 1).CopyTo(_buffer.AsSpan(_position));
            _position += label + 1;
            offset += label + 1;
        }

        _buffer[_position++] = 0;
    }
}
