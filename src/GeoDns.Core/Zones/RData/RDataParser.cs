using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones.RData;

/// <summary>RDATA presentation format to uncompressed wire bytes, for every type with a codec and RFC 3597 generic form for all.</summary>
internal static class RDataParser
{
    /// <summary>
    /// Parses the remaining tokens of <paramref name="r"/> as RDATA of <paramref name="type"/> into
    /// <paramref name="b"/> (cleared first). Reports one error and returns false on bad input.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool Parse(ushort type, EntryReader r, RDataBuilder b)
    {
        b.Clear();
        if (!r.AtEnd && !r.Current.Quoted && r.Span(r.Current).SequenceEqual("\\#"))
        {
            r.Index++;
            return Generic(r, b) && r.ExpectEnd();
        }

        bool ok = type switch
        {
            RecordType.A => BasicRData.A(r, b),
            RecordType.AAAA => BasicRData.Aaaa(r, b),
            RecordType.NS => BasicRData.SingleName(r, b, "NS target"),
            RecordType.CNAME => BasicRData.SingleName(r, b, "CNAME target"),
            RecordType.PTR => BasicRData.SingleName(r, b, "PTR target"),
            RecordType.DNAME => BasicRData.SingleName(r, b, "DNAME target"),
            3 or 4 or 7 or 8 or 9 => BasicRData.SingleName(r, b, "target"), // MD MF MB MG MR
            RecordType.MX => BasicRData.PreferenceName(r, b, "MX exchange"),
            18 or 21 or 36 => BasicRData.PreferenceName(r, b, "target"), // AFSDB RT KX
            14 or 17 => BasicRData.TwoNames(r, b, "mailbox", "second name"), // MINFO RP
            RecordType.SOA => BasicRData.Soa(r, b),
            RecordType.SRV => BasicRData.Srv(r, b),
            RecordType.TXT or 99 => TextRData.Txt(r, b), // SPF
            RecordType.HINFO => TextRData.Hinfo(r, b),
            RecordType.CAA => TextRData.Caa(r, b),
            RecordType.NAPTR => TextRData.Naptr(r, b),
            RecordType.DS or 59 or 32768 or 32769 => KeyRData.Ds(r, b), // CDS TA DLV
            RecordType.DNSKEY or 60 => KeyRData.Dnskey(r, b), // CDNSKEY
            RecordType.SSHFP => KeyRData.Sshfp(r, b),
            RecordType.TLSA or 53 => KeyRData.Tlsa(r, b), // SMIMEA
            RecordType.SVCB => SvcbRData.Parse(r, b, "SVCB"),
            RecordType.HTTPS => SvcbRData.Parse(r, b, "HTTPS"),
            _ => Unsupported(type, r),
        };

        if (!ok || !r.ExpectEnd())
        {
            return false;
        }

        if (b.Length > RDataBuilder.MaxRDataLength)
        {
            return r.Error(r[0], $"RDATA is {b.Length} octets long; the maximum is {RDataBuilder.MaxRDataLength}");
        }

        return true;
    }

    private static bool Unsupported(ushort type, EntryReader r) =>
        r.Error(r.AtEnd ? r[r.Count - 1] : r.Current,
            $"no presentation format for {RecordTypeNames.ToMnemonic(type)} RDATA here; write it as RFC 3597 '\\# <length> <hex>'");

    /// <summary>RFC 3597: <c>\# length hex...</c> (hex may be split by spaces; length 0 has no hex).</summary>
    private static bool Generic(EntryReader r, RDataBuilder b)
    {
        if (!r.Next("RDATA length after '\\#'", out var lengthToken) ||
            !r.ParseUInt(lengthToken, "RDATA length", RDataBuilder.MaxRDataLength, out uint length))
        {
            return false;
        }

        if (!KeyRData.HexRest(r, b, "generic RDATA", allowEmpty: length == 0))
        {
            return false;
        }

        if (b.Length != length)
        {
            return r.Error(lengthToken, $"RDATA length {length} does not match the {b.Length} octets of hex given");
        }

        return true;
    }
}
