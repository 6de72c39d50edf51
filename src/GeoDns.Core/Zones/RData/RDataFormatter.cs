using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Zones.RData;

/// <summary>
/// RDATA wire bytes to presentation text, for <c>geodns explain</c> and logs. Types without a
/// formatter here, and malformed RDATA, print as RFC 3597 <c>\# length hex</c>.
/// </summary>
public static class RDataFormatter
{
    public static string Format(ushort type, ReadOnlySpan<byte> rdata)
    {
        var sb = new StringBuilder();
        return TryFormat(type, rdata, sb) ? sb.ToString() : Generic(rdata);
    }

    /// <summary>A whole record in master-file form: <c>owner ttl IN TYPE rdata</c>.</summary>
    public static string FormatRecord(ResourceRecord record) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{record.Owner} {record.Ttl} {RecordTypeNames.ClassToMnemonic(record.Class)} {RecordTypeNames.ToMnemonic(record.Type)} {Format(record.Type, record.RData)}");

    /// <summary>RFC 3597 generic form.</summary>
    public static string Generic(ReadOnlySpan<byte> rdata) =>
        rdata.Length == 0 ? "\\# 0" : string.Create(CultureInfo.InvariantCulture, $"\\# {rdata.Length} {Convert.ToHexString(rdata)}");

    private static bool TryFormat(ushort type, ReadOnlySpan<byte> rdata, StringBuilder sb)
    {
        int offset = 0;
        switch (type)
        {
            case RecordType.A:
                return rdata.Length == 4 && Append(sb, new IPAddress(rdata).ToString());
            case RecordType.AAAA:
                return rdata.Length == 16 && Append(sb, new IPAddress(rdata).ToString());
            case RecordType.NS or RecordType.CNAME or RecordType.PTR or RecordType.DNAME:
                return Name(rdata, ref offset, sb) && offset == rdata.Length;
            case RecordType.MX:
                return UInt16(rdata, ref offset, sb) && Space(sb) && Name(rdata, ref offset, sb) && offset == rdata.Length;
            case RecordType.SRV:
                return UInt16(rdata, ref offset, sb) && Space(sb) && UInt16(rdata, ref offset, sb) && Space(sb) &&
                    UInt16(rdata, ref offset, sb) && Space(sb) && Name(rdata, ref offset, sb) && offset == rdata.Length;
            case RecordType.SOA:
                if (!Name(rdata, ref offset, sb) || !Space(sb) || !Name(rdata, ref offset, sb) || rdata.Length - offset != 20)
                {
                    return false;
                }

                for (int i = 0; i < 5; i++, offset += 4)
                {
                    sb.Append(' ').Append(BinaryPrimitives.ReadUInt32BigEndian(rdata[offset..]));
                }

                return true;
            case RecordType.TXT or RecordType.HINFO or 99:
                if (rdata.Length == 0)
                {
                    return false;
                }

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
            case RecordType.CAA:
                if (rdata.Length < 2 || rdata[1] == 0 || rdata.Length < 2 + rdata[1])
                {
                    return false;
                }

                sb.Append(rdata[0]).Append(' ').Append(Encoding.ASCII.GetString(rdata.Slice(2, rdata[1]))).Append(' ');
                Quoted(rdata[(2 + rdata[1])..], sb);
                return true;
            case RecordType.DS or 59:
                return rdata.Length > 4 && Append(sb, string.Create(CultureInfo.InvariantCulture,
                    $"{BinaryPrimitives.ReadUInt16BigEndian(rdata)} {rdata[2]} {rdata[3]} {Convert.ToHexString(rdata[4..])}"));
            case RecordType.SSHFP:
                return rdata.Length > 2 && Append(sb, string.Create(CultureInfo.InvariantCulture,
                    $"{rdata[0]} {rdata[1]} {Convert.ToHexString(rdata[2..])}"));
            case RecordType.TLSA:
                return rdata.Length > 3 && Append(sb, string.Create(CultureInfo.InvariantCulture,
                    $"{rdata[0]} {rdata[1]} {rdata[2]} {Convert.ToHexString(rdata[3..])}"));
            case RecordType.DNSKEY or 60:
                return rdata.Length > 4 && Append(sb, string.Create(CultureInfo.InvariantCulture,
                    $"{BinaryPrimitives.ReadUInt16BigEndian(rdata)} {rdata[2]} {rdata[3]} {Convert.ToBase64String(rdata[4..])}"));
            default:
                return false;
        }
    }

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
