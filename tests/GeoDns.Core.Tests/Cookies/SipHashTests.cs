using System.Buffers.Binary;
using GeoDns.Core.Cookies;

namespace GeoDns.Core.Tests.Cookies;

/// <summary>SipHash-2-4 against the reference vectors of the SipHash paper (key 00..0f, message 00..n-1).</summary>
public sealed class SipHashTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];

    [TestCase(0, 0x726fdb47dd0e0e31UL)]
    [TestCase(8, 0x93f5f5799a932462UL)]
    [TestCase(15, 0xa129ca6149be45e5UL)]
    public void MatchesTheReferenceVectors(int length, ulong expected)
    {
        byte[] message = [.. Enumerable.Range(0, length).Select(i => (byte)i)];
        ulong k0 = BinaryPrimitives.ReadUInt64LittleEndian(Key);
        ulong k1 = BinaryPrimitives.ReadUInt64LittleEndian(Key.AsSpan(8));
        Assert.That(SipHash.Hash24(k0, k1, message), Is.EqualTo(expected));
    }

    [Test]
    public void EveryMessageLengthUpToSixtyFourHashesDifferently()
    {
        byte[] message = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];
        var hashes = Enumerable.Range(0, 65).Select(n => SipHash.Hash24(1, 2, message.AsSpan(0, n))).ToHashSet();
        Assert.That(hashes, Has.Count.EqualTo(65));
    }
}
