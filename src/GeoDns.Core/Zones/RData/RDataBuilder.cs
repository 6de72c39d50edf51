using System.Buffers.Binary;
using System.Text;
using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones.RData;

/// <summary>A reusable buffer RDATA is written into, with the field encoders the codecs share.</summary>
internal sealed class RDataBuilder
{
    public const int MaxRDataLength = ushort.MaxValue;

    private byte[] _buffer = new byte[1024];

    public int Length { get; set; }

    public void Clear() => Length = 0;

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }

    public void Byte(byte value) => Reserve(1)[0] = value;

    public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void UInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    public void PatchByte(int offset, byte value) => _buffer[offset] = value;

    public void PatchUInt16(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(offset, 2), value);

    /// <summary>Reads a name token and writes its uncompressed wire form (case kept).</summary>
    public bool Name(EntryReader r, string what)
    {
        if (!r.Next(what, out var t))
        {
            return false;
        }

        return Name(r, t, what);
    }

    public bool Name(EntryReader r, Token t, string what)
    {
        Span<byte> scratch = stackalloc byte[DnsName.MaxWireLength + 64];
        if (!r.ParseNameWire(t, what, scratch, out int length))
        {
            return false;
        }

        Bytes(scratch[..length]);
        return true;
    }

    /// <summary>Writes a &lt;character-string&gt;: length octet plus the unescaped text (at most 255 octets).</summary>
    public bool CharacterString(EntryReader r, Token t, string what)
    {
        int lengthAt = Length;
        Byte(0);
        if (!Unescaped(r, t, what))
        {
            return false;
        }

        int written = Length - lengthAt - 1;
        if (written > 255)
        {
            return r.Error(t, $"{what} is {written} octets long; a character-string holds at most 255");
        }

        _buffer[lengthAt] = (byte)written;
        return true;
    }

    /// <summary>Writes the unescaped octets of a token (\DDD and \X escapes; non-ASCII as UTF-8).</summary>
    public bool Unescaped(EntryReader r, Token t, string what)
    {
        var s = r.Span(t);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '\\')
            {
                if (i + 1 >= s.Length)
                {
                    return r.Error(t, $"bad {what}: dangling '\\'");
                }

                if (char.IsAsciiDigit(s[i + 1]))
                {
                    if (i + 3 >= s.Length || !char.IsAsciiDigit(s[i + 2]) || !char.IsAsciiDigit(s[i + 3]))
                    {
                        return r.Error(t, $"bad {what}: '\\DDD' needs three digits");
                    }

                    int v = ((s[i + 1] - '0') * 100) + ((s[i + 2] - '0') * 10) + (s[i + 3] - '0');
                    if (v > 255)
                    {
                        return r.Error(t, $"bad {what}: escape '\\{s.Slice(i + 1, 3)}' is over 255");
                    }

                    Byte((byte)v);
                    i += 3;
                    continue;
                }

                c = s[++i];
            }

            if (c < 0x80)
            {
                Byte((byte)c);
            }
            else
            {
                int count = char.IsHighSurrogate(c) && i + 1 < s.Length ? 2 : 1;
                var dest = Reserve(8);
                int n = Encoding.UTF8.GetBytes(s.Slice(i, count), dest);
                i += count - 1;
                Length -= 8 - n;
            }
        }

        return true;
    }
}
