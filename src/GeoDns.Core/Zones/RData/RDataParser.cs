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
            r.Index++;
            return Generic(r, b) && r.ExpectEnd();
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
