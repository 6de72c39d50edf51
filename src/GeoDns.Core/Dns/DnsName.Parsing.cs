using System.Text;

namespace GeoDns.Core.Dns;

/// <summary>Presentation-format parsing (RFC 1035 5.1: escapes, @, relative names).</summary>
public sealed partial class DnsName
{
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
    public static bool TryParse(ReadOnlySpan<char> text, DnsName? origin, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DnsName? name, out string? error) =>
        TryParse(text, origin, null, out name, out error);

    /// <summary>As above, the wire form stored in <paramref name="store"/> (one object per name) when given.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, DnsName? origin, NameStore? store, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DnsName? name, out string? error)
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

        if (length == 1)
        {
            name = Root;
        }
        else if (store is null)
        {
            name = new DnsName(buffer[..length].ToArray());
        }
        else
        {
            var (block, offset) = store.Add(buffer[..length]);
            name = new DnsName(block, offset, length);
        }

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
}
