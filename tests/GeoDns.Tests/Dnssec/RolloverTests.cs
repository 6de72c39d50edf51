using GeoDns.Cli;
using GeoDns.Tests.Deploy;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Dnssec;

/// <summary>
/// Rollovers done as docs/dnssec.md says, by adding and dating key files with BIND's tools,
/// against a running server and BIND's delv: the answers validate before and after each step.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class RolloverTests
{
    private const string Zone = """
        $ORIGIN roll.test.
        $TTL 300
        @    SOA ns hostmaster 1 3600 900 604800 60
        @    NS  ns
        ns   A   192.0.2.53
        www  A   192.0.2.1
        """;

    private string _keys = null!;

    [SetUp]
    public void SetUp()
    {
        _keys = Path.Combine(Path.GetTempPath(), "geodns-roll-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_keys);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_keys, recursive: true);

    [Test]
    public async Task ZoneSigningKeyPrePublishRollover()
    {
        await KeyDirectoryTests.DnssecKeygen(_keys, "roll.test", "ECDSAP256SHA256", ["-f", "KSK"]);
        string old = await KeyDirectoryTests.DnssecKeygen(_keys, "roll.test", "ECDSAP256SHA256", ["-P", "now-1d", "-A", "now-1d"]);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["roll.test.zone"] = Zone }, new Dictionary<string, string?> { ["Keys"] = _keys });
        string anchor = await Anchor();
        Assert.That(await Delv(server, anchor, "www.roll.test A"), Does.Contain("; fully validated").And.Contain($" {Tag(old)} roll.test."));

        // The new ZSK is published now and signs in 4 s, when the old one stops; a reload reads the files.
        string next = await KeyDirectoryTests.DnssecKeygen(_keys, "roll.test", "ECDSAP256SHA256", ["-P", "now", "-A", "now+4"]);
        var (exit, output) = await ChildProcess.RunAsync("dnssec-settime", ["-K", _keys, "-I", "now+4", "-D", "now+1d", old], _keys, null, TimeSpan.FromSeconds(20));
        Assert.That(exit, Is.Zero, output);
        server.Services.GetRequiredService<GeoDns.Hosting.ZoneStore>().Reload("test");

        string published = await Delv(server, anchor, "www.roll.test A");
        Assert.That(published, Does.Contain("; fully validated").And.Contain($" {Tag(old)} roll.test.").And.Not.Contain($" {Tag(next)} roll.test."));
        Assert.That(await Dig(server, "roll.test DNSKEY"), Does.Contain($"key id = {Tag(next)}"), "pre-published");

        await Task.Delay(5000);
        string rolled = await Delv(server, anchor, "www.roll.test A");
        Assert.That(rolled, Does.Contain("; fully validated").And.Contain($" {Tag(next)} roll.test.").And.Not.Contain($" {Tag(old)} roll.test."));
        Assert.That(await Dig(server, "roll.test DNSKEY"), Does.Contain($"key id = {Tag(old)}"), "the old key stays published until Delete");
    }

    [Test]
    public async Task KeySigningKeyDoubleDsRollover()
    {
        string old = await KeyDirectoryTests.DnssecKeygen(_keys, "roll.test", "ECDSAP256SHA256", ["-f", "KSK", "-P", "now-1d", "-A", "now-1d"]);
        await KeyDirectoryTests.DnssecKeygen(_keys, "roll.test", "ECDSAP256SHA256", []);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["roll.test.zone"] = Zone }, new Dictionary<string, string?> { ["Keys"] = _keys });
        string oldAnchor = await Anchor();

        // 1. the new KSK: both DS records for the parent, both in CDS; either anchor validates.
        string next = await KeyDirectoryTests.DnssecKeygen(_keys, "roll.test", "ECDSAP256SHA256", ["-f", "KSK"]);
        server.Services.GetRequiredService<GeoDns.Hosting.ZoneStore>().Reload("test");
        var ds = new StringWriter();
        Assert.That(DsCommand.Run(["roll.test", "--keys", _keys], ds, TextWriter.Null), Is.Zero);
        Assert.That(ds.ToString(), Does.Contain($"IN DS {Tag(old)} 13 2").And.Contain($"IN DS {Tag(next)} 13 2"));
        Assert.That(await Dig(server, "roll.test CDS"), Does.Match($@"CDS\s+{Tag(old)} 13 2").And.Match($@"CDS\s+{Tag(next)} 13 2"));
        string newAnchor = await Anchor(Tag(next));
        Assert.That(await Delv(server, oldAnchor, "www.roll.test A"), Does.Contain("; fully validated"));
        Assert.That(await Delv(server, newAnchor, "www.roll.test A"), Does.Contain("; fully validated"));

        // 2. the old KSK retired: CDS lists only the new one, which alone validates.
        var (exit, output) = await ChildProcess.RunAsync("dnssec-settime", ["-K", _keys, "-I", "now", "-D", "now+2d", old], _keys, null, TimeSpan.FromSeconds(20));
        Assert.That(exit, Is.Zero, output);
        server.Services.GetRequiredService<GeoDns.Hosting.ZoneStore>().Reload("test");
        await Task.Delay(1100);
        Assert.That(await Dig(server, "roll.test CDS"), Does.Not.Match($@"CDS\s+{Tag(old)} ").And.Match($@"CDS\s+{Tag(next)} 13 2"));
        Assert.That(await Delv(server, newAnchor, "www.roll.test A"), Does.Contain("; fully validated"));
    }

    [Test]
    public async Task ABadKeyFileOnReloadKeepsTheKeysInUse()
    {
        string key = await KeyDirectoryTests.DnssecKeygen(_keys, "roll.test", "ED25519", []);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["roll.test.zone"] = Zone }, new Dictionary<string, string?> { ["Keys"] = _keys });
        string anchor = await Anchor();
        string added = await KeyDirectoryTests.DnssecKeygen(_keys, "roll.test", "ED25519", []);
        File.WriteAllText(Path.Combine(_keys, added + ".private"), "Private-key-format: v1.3\nAlgorithm: 15 (ED25519)\nPrivateKey: not base64\n");

        server.Services.GetRequiredService<GeoDns.Hosting.ZoneStore>().Reload("test");

        string output = await Delv(server, anchor, "www.roll.test A");
        Assert.That(output, Does.Contain("; fully validated").And.Contain($" {Tag(key)} roll.test."));
        Assert.That(await Dig(server, "roll.test DNSKEY"), Does.Not.Contain($"key id = {Tag(added)}"), "the bad pair is not used");
    }

    /// <summary>A delv trust anchor file with the DS of the key-signing key (the given tag, else the first).</summary>
    private async Task<string> Anchor(int? tag = null)
    {
        var ds = new StringWriter();
        Assert.That(DsCommand.Run(["roll.test", "--keys", _keys], ds, TextWriter.Null), Is.Zero);
        string line = ds.ToString().Split('\n').First(l => l.Contains(" IN DS ", StringComparison.Ordinal) && (tag is null || l.Contains($" DS {tag} ", StringComparison.Ordinal)));
        string[] f = line.Split(' ');
        string path = Path.Combine(_keys, $"anchor-{f[3]}.conf");
        await File.WriteAllTextAsync(path, $"trust-anchors {{ roll.test. static-ds {f[3]} {f[4]} {f[5]} \"{f[6]}\"; }};\n");
        return path;
    }

    private async Task<string> Delv(TestServer server, string anchor, string query)
    {
        var (_, output) = await ChildProcess.RunAsync("delv",
            [$"@{server.EndPoint.Address}", "-p", server.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-a", anchor, "+root=roll.test", .. query.Split(' ')],
            _keys, null, TimeSpan.FromSeconds(20));
        return output;
    }

    private static Task<string> Dig(TestServer server, string query) => DigTests.Dig(server.EndPoint, query + " +dnssec +norec +multi");

    private static int Tag(string baseName) => int.Parse(baseName[^5..], System.Globalization.CultureInfo.InvariantCulture);
}
