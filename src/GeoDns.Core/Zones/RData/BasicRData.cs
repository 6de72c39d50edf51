using System.Net;
using System.Net.Sockets;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones.RData;

/// <summary>Addresses and name-based types: A, AAAA, NS/CNAME/PTR/DNAME, MX-like, SOA, SRV, RP.</summary>
internal static class BasicRData
{
    public static bool A(EntryReader r, RDataBuilder b)
    {
        if (!r.Next("IPv4 address", out var t))
        {
            return false;
        }

        if (t.Quoted || !TryParseIPv4(r.Span(t), b.Reserve(4)))
        {
            return r.Error(t, $"bad IPv4 address '{EntryReader.Shorten(r.Span(t))}'");
        }

        return true;
    }

    public static bool Aaaa(EntryReader r, RDataBuilder b)
    {
        if (!r.Next("IPv6 address", out var t))
        {
            return false;
        }

        if (t.Quoted || !TryParseIPv6(r.Span(t), out var address))
        {
            return r.Error(t, $"bad IPv6 address '{EntryReader.Shorten(r.Span(t))}'");
        }

        address.TryWriteBytes(b.Reserve(16), out _);
        return true;
    }

    /// <summary>Strict dotted-quad IPv4 (four decimal parts 0..255), no allocation.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseIPv4(ReadOnlySpan<char> s, Span<byte> destination)
    {
        int part = 0;
        int value = 0;
        int digits = 0;
        foreach (char c in s)
        {
            if (c == '.')
            {
                if (digits == 0 || part == 3)
                {
                    return false;
                }

                destination[part++] = (byte)value;
                value = 0;
                digits = 0;
                continue;
            }

            if (!char.IsAsciiDigit(c) || ++digits > 3)
            {
                return false;
            }

            value = (value * 10) + (c - '0');
            if (value > 255)
            {
                return false;
            }
        }

        if (part != 3 || digits == 0)
        {
            return false;
        }

        destination[3] = (byte)value;
        return true;
    }

    /// <summary>An IPv6 address in text form (no zone index, no brackets).</summary>
    public static bool TryParseIPv6(ReadOnlySpan<char> s, out IPAddress address)
    {
        address = IPAddress.IPv6None;
        if (s.IndexOf(':') < 0 || s.IndexOfAny('%', '/', '[') >= 0)
        {
            return false;
        }

        if (!IPAddress.TryParse(s, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    public static bool SingleName(EntryReader r, RDataBuilder b, string what) => b.Name(r, what);

    /// <summary>MX, KX, AFSDB, RT: a 16-bit preference then a name.</summary>
    public static bool PreferenceName(EntryReader r, RDataBuilder b, string what)
    {
        if (!r.ReadUInt16("preference", out ushort preference))
        {
            return false;
        }

        b.UInt16(preference);
        return b.Name(r, what);
    }

    public static bool TwoNames(EntryReader r, RDataBuilder b, string first, string second) =>
        b.Name(r, first) && b.Name(r, second);

    public static bool Soa(EntryReader r, RDataBuilder b)
    {
        if (!b.Name(r, "SOA primary server (MNAME)") || !b.Name(r, "SOA mailbox (RNAME)"))
        {
            return false;
        }

        if (!r.ReadUInt32("SOA serial", uint.MaxValue, out uint serial))
        {
            return false;
        }

        b.UInt32(serial);
        foreach (var field in (ReadOnlySpan<string>)["SOA refresh", "SOA retry", "SOA expire", "SOA minimum"])
        {
            if (!r.ReadTtl(field, uint.MaxValue, out uint value))
            {
                return false;
            }

            b.UInt32(value);
        }

        return true;
    }

    public static bool Srv(EntryReader r, RDataBuilder b)
    {
        if (!r.ReadUInt16("SRV priority", out ushort priority) ||
            !r.ReadUInt16("SRV weight", out ushort weight) ||
            !r.ReadUInt16("SRV port", out ushort port))
        {
            return false;
        }

        b.UInt16(priority);
        b.UInt16(weight);
        b.UInt16(port);
        return b.Name(r, "SRV target");
    }
}
