using System.Text;

namespace GeoDns.Core.Dns;

/// <summary>
/// A domain name held in uncompressed wire form with its original case. Equality and
/// hashing ignore ASCII case (RFC 4343). <see cref="Key"/> is the lower-cased wire form as
/// a Latin-1 string, the form every lookup table in GeoDns is keyed by, so the query path
/// can look names up from a stack buffer without allocating.
/// </summary>
public sealed class DnsName : IEquatable<DnsName>
{
    public const int MaxWireLength = 255;
    public const int MaxLabelLength = 63;

    public static readonly DnsName Root = new([0]);

    private readonly byte[] _wire;

    private DnsName(byte[] wire)
    {
        _wire = wire;
        Key = BuildKey(wire);
        LabelCount = CountLabels(wire);
    }

    /// <summary>Uncompressed wire form, original case, ending with the root label.</summary>
    public ReadOnlySpan<byte> Wire => _wire;

    public int WireLength => _wire.Length;

    public int LabelCount { get; }

    /// <summary>Lower-cased wire form as Latin-1 characters (one char per byte).</summary>
    public string Key { get; }

    public bool IsRoot => _wire.Length == 1;

    public bool IsWildcard => _wire.Length > 2 && _wire[0] == 1 && _wire[1] == (byte)'*';

    public static DnsName FromWire(ReadOnlySpan<byte> wire)
    {
        if (!IsValidWire(wire))
        {
            throw new ArgumentException("not a valid uncompressed wire-format name", nameof(wire));
        }

        return new DnsName(wire.ToArray());
    }

    /// <summary>Parses presentation format: escapes, '@' for the origin, names relative to the origin.</summary>
    public static DnsName Parse(string text, DnsName? origin = null)
    {
        if (!TryParse(text, origin, out var name, out var error))
        {
            throw new FormatException(error);
        }

        return name;
    }

    public static bool TryParse(string text, DnsName? origin, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DnsName? name, out string? error)
        => TryParse(text.AsSpan(), origin, out name, out error);

    /// <summary>Span overload of <see cref="TryParse(string, DnsName?, out DnsName?, out string?)"/>: allocates only the result.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, DnsName? origin, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DnsName? name, out string? error)
    {
        name = null;
        if (text.Length == 1 && text[0] == '@' && origin is not null)
        {
            name = origin;
            error = null;
            return true;
        }

        Span<byte> buffer = stackalloc byte[MaxWireLength + 64];
        if (!TryWriteWire(text, origin, buffer, out int length, out error))
        {
            return false;
        }

        name = length == 1 ? Root : new DnsName(buffer[..length].ToArray());
        return true;
    }

    /// <summary>
    /// Writes the uncompressed wire form of a presentation-format name into
    /// <paramref name="destination"/> (at least <see cref="MaxWireLength"/> + 64 bytes long)
    /// without allocating, e.g. straight into RDATA.
    /// </summary>
    public static bool TryWriteWire(ReadOnlySpan<char> text, DnsName? origin, Span<byte> destination, out int length, out string? error)
    {
        error = null;
        length = 0;
        if (destination.Length < MaxWireLength + 64)
        {
            throw new ArgumentException("destination too small", nameof(destination));
        }

        if (text.Length == 0)
        {
            error = "empty name";
            return false;
        }

        if (text.Length == 1 && text[0] == '@')
        {
            if (origin is null)
            {
                error = "'@' used with no origin";
                return false;
            }

            origin.Wire.CopyTo(destination);
            length = origin.WireLength;
            return true;
        }

        if (text.Length == 1 && text[0] == '.')
        {
            destination[0] = 0;
            length = 1;
            return true;
        }

        Span<byte> buffer = destination;
        Span<byte> utf8 = stackalloc byte[4];
        int labelStart = 0;
        int labelLength = 0;
        bool absolute = false;
        buffer[length++] = 0; // placeholder for the first label's length
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    error = $"empty label in '{text}'";
                    return false;
                }

                buffer[labelStart] = (byte)labelLength;
                if (i == text.Length - 1)
                {
                    absolute = true;
                    break;
                }

                labelStart = length;
                labelLength = 0;
                buffer[length++] = 0;
                continue;
            }

            if (c == '\\' && i + 1 < text.Length && text[i + 1] >= 0x80)
            {
                c = text[++i]; // an escaped non-ASCII character is just that character
            }

            if (c >= 0x80)
            {
                // Non-ASCII: the octets of its UTF-8 form, as BIND reads a UTF-8 file.
                int count = char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1;
                int n = System.Text.Encoding.UTF8.GetBytes(text.Slice(i, count), utf8);
                labelLength += n;
                if (labelLength > MaxLabelLength)
                {
                    error = $"label longer than {MaxLabelLength} octets in '{text}'";
                    return false;
                }

                if (length + n > MaxWireLength)
                {
                    error = $"name longer than {MaxWireLength} octets: '{text}'";
                    return false;
                }

                utf8[..n].CopyTo(buffer[length..]);
                length += n;
                i += count - 1;
                continue;
            }

            int value;
            if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    error = $"dangling escape in '{text}'";
                    return false;
                }

                if (char.IsAsciiDigit(text[i + 1]))
                {
                    if (i + 3 >= text.Length || !char.IsAsciiDigit(text[i + 2]) || !char.IsAsciiDigit(text[i + 3]))
                    {
                        error = $"bad \\DDD escape in '{text}'";
                        return false;
                    }

                    value = ((text[i + 1] - '0') * 100) + ((text[i + 2] - '0') * 10) + (text[i + 3] - '0');
                    if (value > 255)
                    {
                        error = $"escape \\{text.Slice(i + 1, 3)} is over 255 in '{text}'";
                        return false;
                    }

                    i += 3;
                }
                else
                {
                    value = text[++i];
                }
            }
            else
            {
                value = c;
            }

            if (value > 255)
            {
                error = $"non-ASCII character in '{text}'";
                return false;
            }

            if (++labelLength > MaxLabelLength)
            {
                error = $"label longer than {MaxLabelLength} octets in '{text}'";
                return false;
            }

            if (length >= MaxWireLength)
            {
                error = $"name longer than {MaxWireLength} octets: '{text}'";
                return false;
            }

            buffer[length++] = (byte)value;
        }

        if (!absolute)
        {
            buffer[labelStart] = (byte)labelLength;
            if (origin is null)
            {
                error = $"relative name '{text}' with no origin";
                return false;
            }

            if (length + origin.WireLength > MaxWireLength)
            {
                error = $"name longer than {MaxWireLength} octets: '{text}' + origin";
                return false;
            }

            origin.Wire.CopyTo(buffer[length..]);
            length += origin.WireLength;
        }
        else
        {
            buffer[length++] = 0;
        }

        if (length > MaxWireLength)
        {
            error = $"name longer than {MaxWireLength} octets: '{text}'";
            return false;
        }

        return true;
    }

    public DnsName Parent()
    {
        if (IsRoot)
        {
            throw new InvalidOperationException("the root has no parent");
        }

        return new DnsName(_wire[(_wire[0] + 1)..]);
    }

    /// <summary>The name with <paramref name="count"/> leading labels removed.</summary>
    public DnsName StripLeft(int count)
    {
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            offset += _wire[offset] + 1;
        }

        return offset == 0 ? this : new DnsName(_wire[offset..]);
    }

    public DnsName Prepend(string label)
    {
        var bytes = Encoding.Latin1.GetBytes(label);
        if (bytes.Length is 0 or > MaxLabelLength || bytes.Length + 1 + _wire.Length > MaxWireLength)
        {
            throw new ArgumentException($"cannot prepend label '{label}' to {this}", nameof(label));
        }

        var wire = new byte[bytes.Length + 1 + _wire.Length];
        wire[0] = (byte)bytes.Length;
        bytes.CopyTo(wire, 1);
        _wire.CopyTo(wire, bytes.Length + 1);
        return new DnsName(wire);
    }

    public bool IsSubdomainOf(DnsName other)
    {
        if (other.WireLength > WireLength)
        {
            return false;
        }

        int offset = 0;
        for (int skip = LabelCount - other.LabelCount; skip > 0; skip--)
        {
            offset += _wire[offset] + 1;
        }

        return Key.AsSpan(offset).SequenceEqual(other.Key);
    }

    public bool Equals(DnsName? other) => other is not null && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is DnsName other && Equals(other);

    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    public static bool operator ==(DnsName? a, DnsName? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(DnsName? a, DnsName? b) => !(a == b);

    public override string ToString()
    {
        if (IsRoot)
        {
            return ".";
        }

        var sb = new StringBuilder(_wire.Length + 8);
        int offset = 0;
        while (_wire[offset] != 0)
        {
            int len = _wire[offset];
            for (int i = offset + 1; i <= offset + len; i++)
            {
                byte b = _wire[i];
                if (b is (byte)'.' or (byte)'\\' or (byte)'"' or (byte)'(' or (byte)')' or (byte)';' or (byte)'@' or (byte)'$')
                {
                    sb.Append('\\').Append((char)b);
                }
                else if (b <= 0x20 || b >= 0x7f)
                {
                    sb.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append((char)b);
                }
            }

            sb.Append('.');
            offset += len + 1;
        }

        return sb.ToString();
    }

    /// <summary>Writes the lower-cased key form of a wire name into <paramref name="destination"/>.</summary>
    public static void WriteKey(ReadOnlySpan<byte> wire, Span<char> destination)
    {
        for (int i = 0; i < wire.Length; i++)
        {
            byte b = wire[i];
            destination[i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b);
        }
    }

    public static bool IsValidWire(ReadOnlySpan<byte> wire)
    {
        if (wire.Length is 0 or > MaxWireLength)
        {
            return false;
        }

        int offset = 0;
        while (offset < wire.Length)
        {
            int len = wire[offset];
            if (len == 0)
            {
                return offset == wire.Length - 1;
            }

            if (len > MaxLabelLength)
            {
                return false;
            }

            offset += len + 1;
        }

        return false;
    }

    private static string BuildKey(byte[] wire)
    {
        return string.Create(wire.Length, wire, static (span, w) => WriteKey(w, span));
    }

    private static int CountLabels(byte[] wire)
    {
        int count = 0;
        int offset = 0;
        while (wire[offset] != 0)
        {
            count++;
            offset += wire[offset] + 1;
        }

        return count;
    }
}
