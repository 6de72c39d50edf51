using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Zones.RData;

/// <summary>
/// RDATA wire bytes to presentation text, for <c>geodns explain</c> and logs. Types whose
/// <see cref="RecordTypes"/> entry has no formatter, and malformed RDATA, print as RFC 3597
/// <c>\# length hex</c>.
/// </summary>
public static class RDataFormatter
{
    public static string Format(ushort type, ReadOnlySpan<byte> rdata)
    {
        if (RecordTypes.Find(type)?.Codec?.Format is not { } format)
        {
            return Generic(rdata);
        }

        var sb = new StringBuilder();
        return format(rdata, sb) ? sb.ToString() : Generic(rdata);
    }

    /// <summary>A whole record in master-file form: <c>owner ttl IN TYPE rdata</c>.</summary>
    public static string FormatRecord(ResourceRecord record) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{record.Owner} {record.Ttl} {RecordTypeNames.ClassToMnemonic(record.Class)} {RecordTypes.Mnemonic(record.Type)} {Format(record.Type, record.RData)}");

    /// <summary>RFC 3597 generic form.</summary>
    public static string Generic(ReadOnlySpan<byte> rdata) =>
        rdata.Length == 0 ? "\\# 0" : string.Create(CultureInfo.InvariantCulture, $"\\# {rdata.Length} {Convert.ToHexString(rdata)}");

    // One formatter per RDATA layout; RecordTypes says which type uses which. Each returns
    // false on malformed RDATA, which then prints in the generic form.

    internal static bool A(ReadOnlySpan<byte> rdata, StringBuilder sb) =>
        rdata.Length == 4 && Append(sb, new IPAddress(rdata).ToString());

    internal static bool Aaaa(ReadOnlySpan<byte> rdata, StringBuilder sb) =>
        rdata.Length == 16 && Append(sb, new IPAddress(rdata).ToString());

    /// <summary>NS, CNAME, PTR, DNAME: one name.</summary>
    internal static bool SingleName(ReadOnlySpan<byte> rdata, StringBuilder sb)
    {
        int offset = 0;
        return Name(rdata, ref offset, sb) && offset == rdata.Length;
    }

    /// <summary>MX: preference and exchange.</summary>
    internal static bool PreferenceName(ReadOnlySpan<byte> rdata, StringBuilder sb)
    {
        int offset = 0;
        return UInt16(rdata, ref offset, sb) && Space(sb) && Name(rdata, ref offset, sb) && offset == rdata.Length;
    }

    internal static bool Srv(ReadOnlySpan<byte> rdata, StringBuilder sb)
    {
        int offset = 0;
        return UInt16(rdata, ref offset, sb) && Space(sb) && UInt16(rdata, ref offset, sb) && Space(sb) &&
            UInt16(rdata, ref offset, sb) && Space(sb) && Name(rdata, ref offset, sb) && offset == rdata.Length;
    }

    internal static bool Soa(ReadOnlySpan<byte> rdata, StringBuilder sb)
    {
        int offset = 0;
        if (!Name(rdata, ref offset, sb) || !Space(sb) || !Name(rdata, ref offset, sb) || rdata.Length - offset != 20)
        {
            return false;
        }

        for (int i = 0; i < 5; i++, offset += 4)
        {
            sb.Append(' ').Append(BinaryPrimitives.ReadUInt32BigEndian(rdata[offset..]));
        }

        return true;
    }

    /// <summary>TXT, SPF, HINFO: one or more character-strings.</summary>
    internal static bool CharacterStrings(ReadOnlySpan<byte> rdata, StringBuilder sb)
    {
        if (rdata.Length == 0)
        {
            return false;
        }

        int offset = 0;
        while (offset < rdata.Length)
        {
            if (offset > 0)
            {
                sb.Append(' ');
            }

            if (!CharacterString(rdata, ref offset, sb))
            {
                return false;
            }
        }

        return true;
    }

    internal static bool Caa(ReadOnlySpan<byte> rdata, StringBuilder sb)
    {
        if (rdata.Length < 2 || rdata[1] == 0 || rdata.Length < 2 + rdata[1])
        {
            return false;
        }

        sb.Append(rdata[0]).Append(' ').Append(Encoding.ASCII.GetString(rdata.Slice(2, rdata[1]))).Append(' ');
        Quoted(rdata[(2 + rdata[1])..], sb);
        return true;
    }

    /// <summary>DS, CDS: key tag, algorithm, digest type, digest in hex.</summary>
    internal static bool Ds(ReadOnlySpan<byte> rdata, StringBuilder sb) =>
        rdata.Length > 4 && Append(sb, string.Create(CultureInfo.InvariantCulture,
            $"{BinaryPrimitives.ReadUInt16BigEndian(rdata)} {rdata[2]} {rdata[3]} {Convert.ToHexString(rdata[4..])}"));

    internal static bool Sshfp(ReadOnlySpan<byte> rdata, StringBuilder sb) =>
        rdata.Length > 2 && Append(sb, string.Create(CultureInfo.InvariantCulture,
            $"{rdata[0]} {rdata[1]} {Convert.ToHexString(rdata[2..])}"));

    internal static bool Tlsa(ReadOnlySpan<byte> rdata, StringBuilder sb) =>
        rdata.Length > 3 && Append(sb, string.Create(CultureInfo.InvariantCulture,
            $"{rdata[0]} {rdata[1]} {rdata[2]} {Convert.ToHexString(rdata[3..])}"));

    /// <summary>DNSKEY, CDNSKEY: flags, protocol, algorithm, key in base64.</summary>
    internal static bool Dnskey(ReadOnlySpan<byte> rdata, StringBuilder sb) =>
        rdata.Length > 4 && Append(sb, string.Create(CultureInfo.InvariantCulture,
            $"{BinaryPrimitives.ReadUInt16BigEndian(rdata)} {rdata[2]} {rdata[3]} {Convert.ToBase64String(rdata[4..])}"));

    private static bool Append(StringBuilder sb, string text)
    {
        sb.Append(text);
        return true;
    }

    private static bool Space(StringBuilder sb)
    {
        sb.Append(' ');
        return true;
    }

    private static bool UInt16(ReadOnlySpan<byte> rdata, ref int offset, StringBuilder sb)
    {
        if (rdata.Length - offset < 2)
        {
            return false;
        }

        sb.Append(BinaryPrimitives.ReadUInt16BigEndian(rdata[offset..]));
        offset += 2;
        return true;
    }

    private static bool Name(ReadOnlySpan<byte> rdata, ref int offset, StringBuilder sb)
    {
        int end = offset;
        while (end < rdata.Length && rdata[end] != 0)
        {
            end += rdata[end] + 1;
        }

        if (end >= rdata.Length || !DnsName.IsValidWire(rdata[offset..(end + 1)]))
        {
            return false;
        }

        sb.Append(DnsName.FromWire(rdata[offset..(end + 1)]).ToString());
        offset = end + 1;
        return true;
    }

    private static bool CharacterString(ReadOnlySpan<byte> rdata, ref int offset, StringBuilder sb)
    {
        int length = rdata[offset];
        if (offset + 1 + length > rdata.Length)
        {
            return false;
        }

        Quoted(rdata.Slice(offset + 1, length), sb);
        offset += 1 + length;
        return true;
    }

    private static void Quoted(ReadOnlySpan<byte> text, StringBuilder sb)
    {
        sb.Append('"');
        foreach (byte b in text)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                sb.Append('\\').Append((char)b);
            }
            else if (b is < 0x20 or >= 0x7f)
            {
                sb.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append((char)b);
            }
        }

        sb.Append('"');
    }
}
