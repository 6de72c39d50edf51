using GeoDns.Core.Dns;
using GeoDns.Transfers;

namespace GeoDns.Tests.Transfers;

/// <summary>The key file in <c>tsig-keygen</c>'s format; each mistake is one message with file:line.</summary>
public sealed class TsigKeyFileTests
{
    [Test]
    public void ReadsKeysAsTsigKeygenWritesThem()
    {
        var keys = TsigKeyFile.Parse("""
            # made by tsig-keygen
            key "xfr" {
            	algorithm hmac-sha256;
            	secret "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
            };
            /* a second one */ key "Other.Key." { algorithm HMAC-SHA512; secret "c2VjcmV0"; }; // done
            """, "tsig.key");
        Assert.That(keys.Values.Select(k => k.Name.ToString()), Is.EquivalentTo(new[] { "xfr.", "Other.Key." }));
        Assert.That(keys[DnsName.Parse("xfr.").Key].Algorithm, Is.EqualTo("hmac-sha256"));
        Assert.That(keys[DnsName.Parse("other.key.").Key].Algorithm, Is.EqualTo("hmac-sha512"));
        Assert.That(keys[DnsName.Parse("xfr.").Key].ToString(), Does.Not.Contain("c2Vj"), "the secret is never shown");
    }

    [TestCase("key \"a\" {\n algorithm hmac-md5;\n secret \"c2VjcmV0\";\n};", "tsig.key:2: algorithm 'hmac-md5' is not supported")]
    [TestCase("key \"a\" {\n algorithm hmac-sha256;\n secret \"not base64!\";\n};", "tsig.key:3: the secret of key 'a' is not base64")]
    [TestCase("key \"a\" {\n algorithm hmac-sha256;\n};", "tsig.key:1: key 'a' needs both an algorithm and a secret")]
    [TestCase("key \"a\" {\n algorithm hmac-sha256\n secret \"c2VjcmV0\";\n};", "tsig.key:3: expected ';', found 'secret'")]
    [TestCase("key \"a\" {\n colour blue;\n};", "tsig.key:2: unknown key setting 'colour'")]
    [TestCase("key \"a\" { algorithm hmac-sha256; secret \"c2VjcmV0\"; };\nkey \"a\" { algorithm hmac-sha256; secret \"c2VjcmV0\"; };", "tsig.key:2: key 'a' is defined twice")]
    [TestCase("zone \"a\" { };", "tsig.key:1: expected 'key', found 'zone'")]
    [TestCase("key \"a\" {\n algorithm hmac-sha256;\n", "tsig.key:2: unexpected end of file")]
    public void AMistakeIsOneMessageWithFileAndLine(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => TsigKeyFile.Parse(text, "tsig.key"));
        Assert.That(error!.Message, Does.StartWith(message));
    }

    [Test]
    public void ARuleNamingAnUnknownKeyStopsTheStart()
    {
        var folder = Directory.CreateTempSubdirectory("geodns-tsig-");
        try
        {
            string file = Path.Combine(folder.FullName, "tsig.key");
            File.WriteAllText(file, "key \"xfr\" { algorithm hmac-sha256; secret \"c2VjcmV0\"; };");
            var rules = new Dictionary<string, TransferRule> { ["example.test"] = new() { Keys = ["nope"] } };
            var error = Assert.Throws<FormatException>(() => TransferPolicy.Read(new TsigOptions { KeyFile = file }, rules));
            Assert.That(error!.Message, Does.StartWith("Transfer:example.test:Keys: key 'nope' is not in the key file"));

            rules["example.test"] = new() { Keys = ["xfr"], Addresses = ["300.1.2.3/8"] };
            Assert.That(Assert.Throws<FormatException>(() => TransferPolicy.Read(new TsigOptions { KeyFile = file }, rules))!.Message,
                Does.StartWith("Transfer:example.test:Addresses: '300.1.2.3/8'"));

            rules["example.test"] = new() { Keys = ["xfr"], Notify = ["127.0.0.1"] };
            Assert.That(Assert.Throws<FormatException>(() => TransferPolicy.Read(new TsigOptions { KeyFile = file }, rules))!.Message,
                Does.StartWith("Transfer:example.test:Notify: '127.0.0.1' is not ADDR:PORT"));

            rules["example.test"] = new() { Keys = ["xfr"], Addresses = ["127.0.0.1"], Notify = ["127.0.0.1:5300"] };
            var policy = TransferPolicy.Read(new TsigOptions { KeyFile = file }, rules);
            Assert.That(policy.Rules.Single().Notify.Single().Port, Is.EqualTo(5300));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
