using GeoDns.Core.Dns;
using GeoDns.Core.Dnssec;

namespace GeoDns.Core.Tests.Dnssec;

/// <summary>BIND's key file text: read, written back the same, and bad input as one line with file and line.</summary>
public sealed class KeyFileFormatTests
{
    private const string Public = """
        ; This is a key-signing key, keyid 58742, for example.com.
        ; Created: 20261130010039 (Mon Nov 30 01:00:39 2026)
        ; Publish: 20261130010039 (Mon Nov 30 01:00:39 2026)
        ; Activate: 20261130010039 (Mon Nov 30 01:00:39 2026)
        example.com. IN DNSKEY 257 3 13 cx7jiPz83bZ/gTis2vQi8KJm8OPz/nvsBO4pw5OcWRzWYqMHfEm/4SR8 u0nL8xMMXSACMWB1gOQAsGa7hYI5Zg==
        """;

    private const string Private = """
        Private-key-format: v1.3
        Algorithm: 13 (ECDSAP256SHA256)
        PrivateKey: vR5nUaPEoEGfACa87bnsKpeQveEgtaLfGV3JAn1TzPY=
        Created: 20261130010039
        Publish: 20261130010039
        Activate: 20261130010039
        Inactive: 20261230010039
        """;

    [Test]
    public void ReadsADnssecKeygenPairWithItsTagAndTiming()
    {
        var pair = KeyFileFormat.Parse("K.key", Public, "K.private", Private);

        Assert.That(pair.Zone, Is.EqualTo(DnsName.Parse("example.com.")));
        Assert.That(pair.Tag, Is.EqualTo(58742), "the tag dnssec-keygen put in the file name");
        Assert.That(pair.BaseName, Is.EqualTo("Kexample.com.+013+58742"));
        Assert.That(pair.Timing.Inactive, Is.EqualTo(new DateTimeOffset(2026, 12, 30, 1, 0, 39, TimeSpan.Zero)));
        Assert.That(pair.Timing.IsActive(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)), Is.True);
        Assert.That(pair.Timing.IsActive(new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero)), Is.False);
    }

    [Test]
    public void WritesWhatItReads()
    {
        var pair = KeyFileFormat.Parse("K.key", Public, "K.private", Private);
        var again = KeyFileFormat.Parse("K.key", KeyFileFormat.FormatPublic(pair), "K.private", KeyFileFormat.FormatPrivate(pair));
        Assert.That(again.PublicKey, Is.EqualTo(pair.PublicKey));
        Assert.That(again.PrivateKey, Is.EqualTo(pair.PrivateKey));
        Assert.That(again.Timing, Is.EqualTo(pair.Timing));
        Assert.That(again.Flags, Is.EqualTo(257));
    }

    [Test]
    public void AnEcdsaPrivateKeyWrittenWithoutItsLeadingZeroOctetIsPadded()
    {
        // dnssec-keygen writes the integer without leading zeros: 31 octets about once in 256 keys.
        byte[] full = Convert.FromBase64String("vR5nUaPEoEGfACa87bnsKpeQveEgtaLfGV3JAn1TzPY=");
        full[0] = 0;
        string text = Private.Replace("vR5nUaPEoEGfACa87bnsKpeQveEgtaLfGV3JAn1TzPY=", Convert.ToBase64String(full[1..]), StringComparison.Ordinal);

        var pair = KeyFileFormat.Parse("K.key", Public, "K.private", text);

        Assert.That(pair.PrivateKey, Is.EqualTo(full));
    }

    [TestCase("PrivateKey: vR5nUaPEoEGfACa87bnsKpeQveEgtaLfGV3JAn1TzPY=", "PrivateKey: vR5n", "K.private:3: a ECDSAP256SHA256 private key is 32 octets")]
    [TestCase("Algorithm: 13", "Algorithm: 15", "K.private:2: algorithm 15 does not match")]
    [TestCase("Activate: 20261130010039", "Activate: soon", "K.private:6: Activate 'soon' is not")]
    [TestCase("Private-key-format: v1.3", "Format: x", "K.private: not a BIND private key")]
    public void BadPrivateFilesAreOneLineWithFileAndLine(string find, string replace, string expected)
    {
        string text = Private.Replace(find, replace, StringComparison.Ordinal);
        var error = Assert.Throws<KeyFileException>(() => KeyFileFormat.Parse("K.key", Public, "K.private", text))!;
        Assert.That(error.Message, Does.StartWith(expected));
        Assert.That(error.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public void AnUnsupportedAlgorithmNamesTheKeyFileLine()
    {
        var error = Assert.Throws<KeyFileException>(() => KeyFileFormat.Parse("K.key", Public.Replace("257 3 13", "257 3 8", StringComparison.Ordinal), "K.private", Private))!;
        Assert.That(error.Message, Does.StartWith("K.key:5: algorithm '8' is not supported"));
    }
}
