using System.Security.Cryptography;
using GeoDns.Cli;
using GeoDns.Core.Dns;
using GeoDns.Core.Dnssec;
using GeoDns.Dnssec;
using GeoDns.Tests.Deploy;
using NSec.Cryptography;

namespace GeoDns.Tests.Dnssec;

/// <summary>BIND key pairs made by the real dnssec-keygen, read by <see cref="KeyDirectory"/>, and the files geodns keygen writes read by BIND's tools.</summary>
public sealed class KeyDirectoryTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = Path.Combine(Path.GetTempPath(), "geodns-keys-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [TestCase("ECDSAP256SHA256", 13, false)]
    [TestCase("ECDSAP256SHA256", 13, true)]
    [TestCase("ED25519", 15, false)]
    [TestCase("ED25519", 15, true)]
    public async Task ReadsDnssecKeygenPairsWithTheirTagAndSignsVerifiably(string algorithm, int number, bool ksk)
    {
        string baseName = await DnssecKeygen(_directory, "example.com", algorithm, ksk ? ["-f", "KSK"] : []);
        int fileTag = int.Parse(baseName[^5..], System.Globalization.CultureInfo.InvariantCulture);

        var keyring = KeyDirectory.Load(_directory, out var errors);

        Assert.That(errors, Is.Empty);
        var key = keyring.For(DnsName.Parse("example.com."))!.Keys.Single();
        Assert.That(key.Tag, Is.EqualTo(fileTag), "RFC 4034 appendix B key tag = dnssec-keygen's");
        Assert.That(key.Algorithm, Is.EqualTo(number));
        Assert.That(key.IsKeySigning, Is.EqualTo(ksk));
        Assert.That(key.Timing.IsActive(DateTimeOffset.UtcNow.AddSeconds(1)), Is.True);
        byte[] data = "signed data"u8.ToArray();
        var signature = new byte[64];
        Assert.That(key.Signer.Sign(data, signature), Is.EqualTo(64));
        Assert.That(Verify(key, data, signature), Is.True);
        signature[5] ^= 1;
        Assert.That(Verify(key, data, signature), Is.False);
    }

    [Test]
    public async Task KeygenWritesPairsBindReadsAndDsMatchesDnssecDsfromkey()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.That(KeygenCommand.Run(["example.org", "--keys", _directory, "--ksk"], output, errors), Is.EqualTo(0), errors.ToString());
        Assert.That(KeygenCommand.Run(["example.org", "--keys", _directory, "--zsk", "--algorithm", "ed25519"], output, errors), Is.EqualTo(0), errors.ToString());
        string[] names = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(names, Has.Length.EqualTo(2));
        Assert.That(names[0], Does.Match(@"^Kexample\.org\.\+013\+\d{5}$"));
        Assert.That(names[1], Does.Match(@"^Kexample\.org\.\+015\+\d{5}$"));

        // BIND's own tools read the files geodns wrote: the DS dnssec-dsfromkey computes is the one geodns ds prints.
        var (exit, bindDs) = await ChildProcess.RunAsync("dnssec-dsfromkey", ["-2", Path.Combine(_directory, names[0] + ".key")], _directory, null, TimeSpan.FromSeconds(20));
        Assert.That(exit, Is.EqualTo(0), bindDs);
        var ds = new StringWriter();
        Assert.That(DsCommand.Run(["example.org", "--keys", _directory], ds, errors), Is.EqualTo(0), errors.ToString());
        string tag = names[0][^5..].TrimStart('0');
        Assert.That(ds.ToString(), Does.Contain($"IN DS {tag} 13 2 "));
        Assert.That(Normalize(ds.ToString().Split('\n')[0]), Is.EqualTo(Normalize(bindDs.Trim())));
        Assert.That(ds.ToString(), Does.Not.Contain(" 15 "), "only the key-signing key goes to the parent");

        var keyring = KeyDirectory.Load(_directory, out var loadErrors);
        Assert.That(loadErrors, Is.Empty);
        Assert.That(keyring.For(DnsName.Parse("example.org."))!.Keys.Select(k => (int)k.Flags), Is.EquivalentTo(new[] { 257, 256 }));
    }

    [Test]
    public async Task TimingMetadataDecidesWhatIsPublishedAndWhatSigns()
    {
        await DnssecKeygen(_directory, "example.com", "ECDSAP256SHA256", ["-P", "now-2d", "-A", "now-2d", "-I", "now-1d", "-D", "now+1d"]);
        await DnssecKeygen(_directory, "example.com", "ECDSAP256SHA256", ["-P", "now", "-A", "now+1d"]);
        var keys = KeyDirectory.Load(_directory, out var errors).For(DnsName.Parse("example.com."))!;
        Assert.That(errors, Is.Empty);
        var now = DateTimeOffset.UtcNow.AddSeconds(1);

        Assert.That(keys.Published(now).Count(), Is.EqualTo(2), "retired and pre-published keys are both in the DNSKEY RRset");
        Assert.That(keys.IsSigned(now), Is.False, "a key with Inactive in the past does not sign; the other is not active yet");
        Assert.That(keys.IsSigned(now.AddDays(1).AddMinutes(1)), Is.True);
        Assert.That(keys.Published(now.AddDays(1).AddMinutes(1)).Count(), Is.EqualTo(1), "Delete passed");
    }

    [Test]
    public async Task ACorruptedPrivateKeyIsOneLineNamingTheFile()
    {
        string baseName = await DnssecKeygen(_directory, "example.com", "ECDSAP256SHA256", []);
        string privatePath = Path.Combine(_directory, baseName + ".private");
        File.WriteAllText(privatePath, File.ReadAllText(privatePath).Replace("PrivateKey: ", "PrivateKey: !!", StringComparison.Ordinal));

        var keyring = KeyDirectory.Load(_directory, out var errors);

        Assert.That(keyring.Zones, Is.Empty);
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.StartWith(privatePath + ":3: ").And.Contain("base64").And.Not.Contain('\n'));
    }

    [Test]
    public async Task APrivateKeyOfAnotherPairIsRefused()
    {
        string first = await DnssecKeygen(_directory, "example.com", "ED25519", []);
        string other = Path.Combine(_directory, "other");
        Directory.CreateDirectory(other);
        string second = await DnssecKeygen(other, "example.com", "ED25519", []);
        File.Copy(Path.Combine(other, second + ".private"), Path.Combine(_directory, first + ".private"), overwrite: true);

        KeyDirectory.Load(_directory, out var errors);

        Assert.That(errors.Single(), Does.Contain(first + ".private").And.Contain("does not match"));
    }

    /// <summary>Runs BIND's dnssec-keygen in <paramref name="directory"/>; returns the base name it printed.</summary>
    internal static async Task<string> DnssecKeygen(string directory, string zone, string algorithm, string[] options)
    {
        var (exit, output) = await ChildProcess.RunAsync("dnssec-keygen", ["-q", "-K", directory, "-a", algorithm, .. options, zone], directory, null, TimeSpan.FromSeconds(30));
        Assert.That(exit, Is.EqualTo(0), output);
        return output.Trim().Split('\n')[^1].Trim();
    }

    private static string Normalize(string record) => string.Join(' ', record.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    private static bool Verify(SigningKey key, byte[] data, byte[] signature)
    {
        if (key.Algorithm == DnssecAlgorithm.Ed25519)
        {
            var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, key.PublicKey, KeyBlobFormat.RawPublicKey);
            return SignatureAlgorithm.Ed25519.Verify(publicKey, data, signature);
        }

        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = key.PublicKey[..32], Y = key.PublicKey[32..] },
        });
        return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
