using GeoDns.Core.Dns;

namespace GeoDns.Core.Dnssec;

/// <summary>Uncompressed wire names compared without ASCII case.</summary>
internal static class Names
{
    public static bool Equal(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (DnsName.LowerAscii(a[i]) != DnsName.LowerAscii(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="name"/> is <paramref name="apex"/> or below it.</summary>
    public static bool IsUnder(ReadOnlySpan<byte> name, ReadOnlySpan<byte> apex)
    {
        for (int offset = 0; name.Length - offset >= apex.Length; offset += name[offset] + 1)
        {
            if (name.Length - offset == apex.Length)
            {
                return Equal(name[offset..], apex);
            }

            if (name[offset] == 0)
            {
                break;
            }
        }

        return false;
    }

    /// <summary>The name without its first <paramref name="drop"/> labels.</summary>
    public static byte[] Suffix(ReadOnlySpan<byte> name, int drop)
    {
        int offset = 0;
        for (int i = 0; i < drop && name[offset] != 0; i++)
        {
            offset += name[offset] + 1;
        }

        return name[offset..].ToArray();
    }

    /// <summary>The lookup key of a name (lower-cased wire octets as chars).</summary>
    public static string Key(ReadOnlySpan<byte> name)
    {
        Span<char> key = stackalloc char[name.Length];
        DnsName.WriteKey(name, key);
        return new string(key);
    }

}
