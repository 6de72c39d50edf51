using System.Text;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones.RData;

/// <summary>Key and fingerprint types: DS/CDS, DNSKEY/CDNSKEY, SSHFP, TLSA/SMIMEA; hex and base64 fields.</summary>
internal static class KeyRData
{
    public static bool Ds(EntryReader r, RDataBuilder b)
    {
        if (!r.ReadUInt16("DS key tag", out ushort keyTag) ||
            !r.ReadUInt8("DS algorithm", out byte algorithm) ||
            !r.ReadUInt8("DS digest type", out byte digestType))
        {
            return false;
        }

        b.UInt16(keyTag);
        b.Byte(algorithm);
        b.Byte(digestType);
        return HexRest(r, b, "DS digest", allowEmpty: false);
    }

    public static bool Dnskey(EntryReader r, RDataBuilder b)
    {
        if (!r.ReadUInt16("DNSKEY flags", out ushort flags) ||
            !r.ReadUInt8("DNSKEY protocol", out byte protocol) ||
            !r.ReadUInt8("DNSKEY algorithm", out byte algorithm))
        {
            return false;
        }

        b.UInt16(flags);
        b.Byte(protocol);
        b.Byte(algorithm);
        return Base64Rest(r, b, "DNSKEY public key");
    }

    public static bool Sshfp(EntryReader r, RDataBuilder b)
    {
        if (!r.ReadUInt8("SSHFP algorithm", out byte algorithm) || !r.ReadUInt8("SSHFP fingerprint type", out byte type))
        {
            return false;
        }

        b.Byte(algorithm);
        b.Byte(type);
        return HexRest(r, b, "SSHFP fingerprint", allowEmpty: false);
    }

    public static bool Tlsa(EntryReader r, RDataBuilder b)
    {
        if (!r.ReadUInt8("certificate usage", out byte usage) ||
            !r.ReadUInt8("selector", out byte selector) ||
            !r.ReadUInt8("matching type", out byte matching))
        {
            return false;
        }

        b.Byte(usage);
        b.Byte(selector);
        b.Byte(matching);
        return HexRest(r, b, "certificate association data", allowEmpty: false);
    }

    /// <summary>All remaining tokens as one hex string (spaces allowed between pieces).</summary>
    public static bool HexRest(EntryReader r, RDataBuilder b, string what, bool allowEmpty)
    {
        if (r.AtEnd && !allowEmpty)
        {
            return r.Error(r.EndLocation(), $"missing {what}");
        }

        int pending = -1;
        Token first = r.AtEnd ? default : r.Current;
        while (!r.AtEnd)
        {
            var t = r[r.Index++];
            foreach (char c in r.Span(t))
            {
                int v = HexValue(c);
                if (v < 0 || t.Quoted)
                {
                    return r.Error(t, $"bad {what}: '{c}' is not a hex digit");
                }

                if (pending < 0)
                {
                    pending = v;
                }
                else
                {
                    b.Byte((byte)((pending << 4) | v));
                    pending = -1;
                }
            }
        }

        if (pending >= 0)
        {
            return r.Error(first, $"bad {what}: odd number of hex digits");
        }

        return true;
    }

    /// <summary>All remaining tokens as one base64 string (spaces allowed between pieces).</summary>
    public static bool Base64Rest(EntryReader r, RDataBuilder b, string what)
    {
        if (r.AtEnd)
        {
            return r.Error(r.EndLocation(), $"missing {what}");
        }

        var first = r.Current;
        var sb = new StringBuilder();
        while (!r.AtEnd)
        {
            sb.Append(r.Span(r[r.Index++]));
        }

        return Base64(r, first, sb.ToString(), b, what);
    }

    public static bool Base64(EntryReader r, Token t, string text, RDataBuilder b, string what)
    {
        var dest = b.Reserve((text.Length / 4 * 3) + 3);
        if (!Convert.TryFromBase64Chars(text, dest, out int written))
        {
            b.Length -= dest.Length;
            return r.Error(t, $"bad {what}: not valid base64");
        }

        b.Length -= dest.Length - written;
        return true;
    }

    public static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
