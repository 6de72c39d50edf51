using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones.RData;

/// <summary>Types made of character-strings: TXT/SPF, HINFO, CAA, NAPTR.</summary>
internal static class TextRData
{
    public static bool Txt(EntryReader r, RDataBuilder b)
    {
        if (r.AtEnd)
        {
            return r.Error(r.EndLocation(), "missing TXT text");
        }

        while (!r.AtEnd)
        {
            var t = r[r.Index++];
            if (!b.CharacterString(r, t, "TXT string"))
            {
                return false;
            }
        }

        return true;
    }

    public static bool Hinfo(EntryReader r, RDataBuilder b) =>
        r.Next("HINFO CPU", out var cpu) && b.CharacterString(r, cpu, "HINFO CPU") &&
        r.Next("HINFO OS", out var os) && b.CharacterString(r, os, "HINFO OS");

    /// <summary>CAA (RFC 8659): flags, tag (1-15 letters/digits), value (rest of RDATA, no length octet).</summary>
    public static bool Caa(EntryReader r, RDataBuilder b)
    {
        if (!r.ReadUInt8("CAA flags", out byte flags) || !r.Next("CAA tag", out var tag))
        {
            return false;
        }

        var tagText = r.Span(tag);
        if (tag.Quoted || tagText.Length is 0 or > 15 || tagText.ContainsAnyExcept(AlphaNumeric))
        {
            return r.Error(tag, $"bad CAA tag '{EntryReader.Shorten(tagText)}': 1 to 15 ASCII letters and digits");
        }

        b.Byte(flags);
        b.Byte((byte)tagText.Length);
        foreach (char c in tagText)
        {
            b.Byte((byte)c);
        }

        if (!r.Next("CAA value", out var value))
        {
            return false;
        }

        return b.Unescaped(r, value, "CAA value");
    }

    public static bool Naptr(EntryReader r, RDataBuilder b)
    {
        if (!r.ReadUInt16("NAPTR order", out ushort order) || !r.ReadUInt16("NAPTR preference", out ushort preference))
        {
            return false;
        }

        b.UInt16(order);
        b.UInt16(preference);
        return r.Next("NAPTR flags", out var flags) && b.CharacterString(r, flags, "NAPTR flags") &&
            r.Next("NAPTR services", out var services) && b.CharacterString(r, services, "NAPTR services") &&
            r.Next("NAPTR regexp", out var regexp) && b.CharacterString(r, regexp, "NAPTR regexp") &&
            b.Name(r, "NAPTR replacement");
    }

    private static readonly System.Buffers.SearchValues<char> AlphaNumeric =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
}
