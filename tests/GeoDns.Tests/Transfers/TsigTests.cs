using GeoDns.Core.Dns;
using GeoDns.Health;
using GeoDns.Transfers;

namespace GeoDns.Tests.Transfers;

/// <summary>TSIG sign and verify round trips, and each way a signature fails (RFC 8945 5.2).</summary>
public sealed class TsigTests
{
    private static readonly TsigKey Key = new(DnsName.Parse("xfr."), "hmac-sha256", Convert.FromBase64String("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"));
    private static readonly TsigKey Sha512 = new(DnsName.Parse("big."), "hmac-sha512", Convert.FromBase64String("c2VjcmV0c2VjcmV0"));
    private const long Now = 1_796_000_000;

    private static byte[] Signed(TsigKey key, long at)
    {
        var query = DnsProbeMessage.BuildQuery(7, DnsName.Parse("example.test."), RecordType.SOA);
        var buffer = new byte[query.Length + 300];
        query.CopyTo(buffer, 0);
        int length = Tsig.Sign(buffer, query.Length, key, [], timersOnly: false, at, out _);
        return buffer[..length];
    }

    private static Dictionary<string, TsigKey> Keys(params TsigKey[] keys) => keys.ToDictionary(k => k.Name.Key);

    [Test]
    public void ASignedMessageVerifiesWithBothAlgorithms()
    {
        Assert.That(Tsig.Verify(Signed(Key, Now), Keys(Key, Sha512), Now).Status, Is.EqualTo(TsigStatus.Valid));
        var check = Tsig.Verify(Signed(Sha512, Now), Keys(Key, Sha512), Now);
        Assert.That(check.Status, Is.EqualTo(TsigStatus.Valid));
        Assert.That(check.Mac, Has.Length.EqualTo(64));
    }

    [Test]
    public void EachFailureHasItsStatus()
    {
        Assert.That(Tsig.Verify(Signed(Key, Now), Keys(Sha512), Now).Status, Is.EqualTo(TsigStatus.BadKey), "unknown key");
        var other = new TsigKey(DnsName.Parse("xfr."), "hmac-sha256", Convert.FromBase64String("b3RoZXJvdGhlcg=="));
        Assert.That(Tsig.Verify(Signed(Key, Now), Keys(other), Now).Status, Is.EqualTo(TsigStatus.BadSig), "another secret");
        var sameNameOtherAlgorithm = new TsigKey(DnsName.Parse("xfr."), "hmac-sha512", Convert.FromBase64String("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"));
        Assert.That(Tsig.Verify(Signed(Key, Now), Keys(sameNameOtherAlgorithm), Now).Status, Is.EqualTo(TsigStatus.BadKey), "another algorithm");
        Assert.That(Tsig.Verify(Signed(Key, Now - 301), Keys(Key), Now).Status, Is.EqualTo(TsigStatus.BadTime), "older than the fudge");
        Assert.That(Tsig.Verify(Signed(Key, Now + 301), Keys(Key), Now).Status, Is.EqualTo(TsigStatus.BadTime), "newer than the fudge");
        Assert.That(Tsig.Verify(Signed(Key, Now - 300), Keys(Key), Now).Status, Is.EqualTo(TsigStatus.Valid), "at the fudge");

        var tampered = Signed(Key, Now);
        tampered[13] ^= 0x20; // the question's first letter
        Assert.That(Tsig.Verify(tampered, Keys(Key), Now).Status, Is.EqualTo(TsigStatus.BadSig), "a changed message");
        Assert.That(Tsig.Verify(tampered[..^3], Keys(Key), Now).Status, Is.EqualTo(TsigStatus.FormErr), "cut short");
    }
}
