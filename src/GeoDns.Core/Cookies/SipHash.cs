using System.Buffers.Binary;
using System.Numerics;

namespace GeoDns.Core.Cookies;

/// <summary>
/// SipHash-2-4 (Aumasson and Bernstein, 2012): the keyed hash RFC 9018 builds server cookies
/// with. .NET has no public SipHash, and the packages GeoDns may use offer none, so it is
/// written out here: allocation-free, over a span.
/// </summary>
public static class SipHash
{
    /// <summary>
    /// The 64-bit SipHash-2-4 of <paramref name="data"/> under the key (<paramref name="k0"/>,
    /// <paramref name="k1"/>), each the little-endian reading of 8 key octets.
    /// </summary>
    public static ulong Hash24(ulong k0, ulong k1, ReadOnlySpan<byte> data)
    {
        ulong v0 = k0 ^ 0x736f6d6570736575UL;
        ulong v1 = k1 ^ 0x646f72616e646f6dUL;
        ulong v2 = k0 ^ 0x6c7967656e657261UL;
        ulong v3 = k1 ^ 0x7465646279746573UL;

        int whole = data.Length & ~7;
        for (int i = 0; i < whole; i += 8)
        {
            ulong m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        // The last block: the remaining octets, and the message length in the top octet.
        ulong last = (ulong)data.Length << 56;
        for (int i = whole; i < data.Length; i++)
        {
            last |= (ulong)data[i] << (8 * (i - whole));
        }

        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;

        v2 ^= 0xFF;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
