using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones.RData;

/// <summary>
/// RDATA presentation format to uncompressed wire bytes: the codec of the type's
/// <see cref="RecordTypes"/> entry, and RFC 3597 generic form for every type.
/// </summary>
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
            var marker = r.Current;
            r.Index++;
            return Generic(r, b) && r.ExpectEnd() && ValidGeneric(type, r, marker, b.Written);
        }

        bool ok = RecordTypes.Find(type)?.Codec is { } codec ? codec.Parse(r, b) : Unsupported(type, r);

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

    /// <summary>
    /// RFC 3597 5: RDATA of a known type written as <c>\#</c> must still be valid RDATA of that type.
    /// The names the answer encoder reads (<see cref="RecordTypes.NamesIn"/>) must be whole uncompressed
    /// names, and a type with a formatter must decode (SOA: two names and 20 octets; A: 4 octets...).
    /// Types with neither are kept as written.
    /// </summary>
    private static bool ValidGeneric(ushort type, EntryReader r, Token marker, ReadOnlySpan<byte> rdata)
    {
        var names = RecordTypes.NamesIn(type);
        int offset = names.Offset;
        bool valid = names.Count == 0 || offset <= rdata.Length;
        for (int i = 0; valid && i < names.Count; i++)
        {
            int end = offset;
            while (end < rdata.Length && rdata[end] != 0 && rdata[end] <= DnsName.MaxLabelLength)
            {
                end += rdata[end] + 1;
            }

            valid = end < rdata.Length && DnsName.IsValidWire(rdata[offset..(end + 1)]);
            offset = end + 1;
        }

        if (valid && RecordTypes.Find(type)?.Codec?.Format is { } format)
        {
            valid = format(rdata, new System.Text.StringBuilder());
        }

        return valid || r.Error(marker, $"'\\#' RDATA of {rdata.Length} octets is not valid {RecordTypes.Mnemonic(type)} RDATA");
    }

    private static bool Unsupported(ushort type, EntryReader r) =>
        r.Error(r.AtEnd ? r[r.Count - 1] : r.Current,
            $"no presentation format for {RecordTypes.Mnemonic(type)} RDATA here; write it as RFC 3597 '\\# <length> <hex>'");

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
