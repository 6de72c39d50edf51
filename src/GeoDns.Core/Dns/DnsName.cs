using System.Text;

namespace GeoDns.Core.Dns;

/// <summary>
/// A domain name held in uncompressed wire form with its original case. Equality and
/// hashing ignore ASCII case (RFC 4343). <see cref="Key"/> is the lower-cased wire form as
/// a Latin-1 string, the form every lookup table in GeoDns is keyed by, so the query path
/// can look names up from a stack buffer without allocating.
/// </summary>
public sealed partial class DnsName : IEquatable<DnsName>
{
    public const int MaxWireLength = 255;
    public const int MaxLabelLength = 63;

    public static readonly DnsName Root = new([0]);

    // The wire form is a slice of _buffer: its own array, or a block shared with other names
    // (a zone loader stores a million owner names in a few blocks: one object per name, not two).
    private readonly byte[] _buffer;
    private readonly int _offset;
    private readonly byte _length;
    private readonly byte _labelCount;
    private string? _key;

    private DnsName(byte[] wire)
        : this(wire, 0, wire.Length)
    {
    }

    private DnsName(byte[] buffer, int offset, int length)
    {
        _buffer = buffer;
        _offset = offset;
        _length = (byte)length;
        _labelCount = (byte)CountLabels(Wire);
    }

    /// <summary>Uncompressed wire form, original case, ending with the root label.</summary>
    public ReadOnlySpan<byte> Wire => new(_buffer, _offset, _length);

    public int WireLength => _length;

    public int LabelCount => _labelCount;

    /// <summary>
    /// Lower-cased wire form as Latin-1 characters (one char per byte). Made on first use: a
    /// zone loader reads millions of owner names that never need one as a string.
    /// </summary>
    public string Key => _key ??= BuildKey(Wire);

    public bool IsRoot => _length == 1;

    public bool IsWildcard => _length > 2 && _buffer[_offset] == 1 && _buffer[_offset + 1] == (byte)'*';

    public static DnsName FromWire(ReadOnlySpan<byte> wire)
    {
        if (!IsValidWire(wire))
        {
            throw new ArgumentException("not a valid uncompressed wire-format name", nameof(wire));
        }

        return new DnsName(wire.ToArray());
    }

    /// <summary>
    /// This name with bytes of its own: for a name kept long after its zone file was read (a
    /// pool's owner, a zone's apex), so that it does not keep a loader's shared block alive.
    /// </summary>
    public DnsName Detached() => _offset == 0 && _buffer.Length == _length ? this : new DnsName(Wire.ToArray());

    public DnsName Parent()
    {
        if (IsRoot)
        {
            throw new InvalidOperationException("the root has no parent");
        }

        // The parent is a suffix of this name's wire form: it shares the bytes.
        int skip = _buffer[_offset] + 1;
        return new DnsName(_buffer, _offset + skip, _length - skip);
    }

    public DnsName Prepend(string label)
    {
        var bytes = Encoding.Latin1.GetBytes(label);
        if (bytes.Length is 0 or > MaxLabelLength || bytes.Length + 1 + _length > MaxWireLength)
        {
            throw new ArgumentException($"cannot prepend label '{label}' to {this}", nameof(label));
        }

        var wire = new byte[bytes.Length + 1 + _length];
        wire[0] = (byte)bytes.Length;
        bytes.CopyTo(wire, 1);
        Wire.CopyTo(wire.AsSpan(bytes.Length + 1));
        return new DnsName(wire);
    }

    public bool IsSubdomainOf(DnsName other)
    {
        if (other.WireLength > WireLength)
        {
            return false;
        }

        var wire = Wire;
        int offset = 0;
        for (int skip = LabelCount - other.LabelCount; skip > 0; skip--)
        {
            offset += wire[offset] + 1;
        }

        var mine = wire[offset..];
        var theirs = other.Wire;
        if (mine.Length != theirs.Length)
        {
            return false;
        }

        for (int i = 0; i < theirs.Length; i++)
        {
            // Length octets are below 64, so lower-casing A-Z leaves them alone.
            if (LowerAscii(mine[i]) != LowerAscii(theirs[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>ASCII lower case of one octet (RFC 4343: only A-Z fold); length octets, below 64, are left alone.</summary>
    internal static byte LowerAscii(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;

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

        var wire = Wire;
        var sb = new StringBuilder(wire.Length + 8);
        int offset = 0;
        while (wire[offset] != 0)
        {
            int len = wire[offset];
            for (int i = offset + 1; i <= offset + len; i++)
            {
                byte b = wire[i];
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
            destination[i] = (char)LowerAscii(wire[i]);
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

    private static string BuildKey(ReadOnlySpan<byte> wire)
    {
        Span<char> key = stackalloc char[wire.Length];
        WriteKey(wire, key);
        return new string(key);
    }

    private static int CountLabels(ReadOnlySpan<byte> wire)
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
