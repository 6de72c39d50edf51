using GeoDns.Cli;
using GeoDns.Tests.Deploy;
using GeoDns.Tests.Server;

namespace GeoDns.Tests.Dnssec;

/// <summary>
/// A signed zone served by a real geodns host, validated by BIND's delv with the DS that
/// <c>geodns ds</c> prints as its only trust anchor: every kind of answer must come out
/// "fully validated". Keys are made by BIND's dnssec-keygen (ECDSA KSK + ZSK) or by
/// <c>geodns keygen</c> (an Ed25519 combined key).
/// </summary>
[TestFixture("ecdsa-ksk-zsk")]
[TestFixture("ed25519-csk")]
[Parallelizable(ParallelScope.None)]
public sealed class DelvValidationTests(string keys)
{
    private const string Zone = """
        $ORIGIN signed.test.
        $TTL 300
        @         SOA   ns hostmaster 1 3600 900 604800 60
        @         NS    ns
        ns        A     192.0.2.53
        www       A     192.0.2.1
        Mixed     TXT   "case kept"
        $REGION   r1    continents=EU
        $REGION   r2    continents=NA
        lb        30 POOL   A policy=failover
        lb        30 MEMBER r1 192.0.2.10 priority=1
        lb        30 MEMBER r2 192.0.2.11 priority=2
        spread    30 POOL   A policy=weighted
        spread    30 MEMBER r1 192.0.2.20
        spread    30 MEMBER r2 192.0.2.21
        app       CNAME lb
        *.dev     A     192.0.2.99
        sub       NS    ns.sub
        ns.sub    A     192.0.2.77
        child     NS    ns.child
        child     DS    60485 13 2 2D711642B726B04401627CA9FBAC32F5C8530FB1903CC4DB02258717921A4881
        ns.child  A     192.0.2.80
        """;

    private string _keys = null!;
    private string _anchor = null!;
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _keys = Path.Combine(Path.GetTempPath(), "geodns-delv-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_keys);
        if (keys == "ecdsa-ksk-zsk")
        {
            await KeyDirectoryTests.DnssecKeygen(_keys, "signed.test", "ECDSAP256SHA256", ["-f", "KSK"]);
            await KeyDirectoryTests.DnssecKeygen(_keys, "signed.test", "ECDSAP256SHA256", []);
        }
        else
        {
            Assert.That(KeygenCommand.Run(["signed.test", "--keys", _keys, "--algorithm", "ed25519"], TextWriter.Null, TextWriter.Null), Is.Zero);
        }

        var ds = new StringWriter();
        Assert.That(DsCommand.Run(["signed.test", "--keys", _keys], ds, TextWriter.Null), Is.Zero);
        string[] fields = ds.ToString().Split('\n')[0].Split(' ');
        _anchor = Path.Combine(_keys, "anchor.conf");
        File.WriteAllText(_anchor, $"trust-anchors {{ signed.test. static-ds {fields[3]} {fields[4]} {fields[5]} \"{fields[6]}\"; }};\n");
        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["signed.test.zone"] = Zone }, new Dictionary<string, string?> { ["Keys"] = _keys });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _server.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    [TestCase("signed.test SOA", "SOA")]
    [TestCase("signed.test DNSKEY", "DNSKEY")]
    [TestCase("www.signed.test A", "192.0.2.1")]
    [TestCase("mixed.signed.test TXT", "case kept")]
    [TestCase("lb.signed.test A", "192.0.2.1")]
    [TestCase("spread.signed.test A", "192.0.2.2")]
    [TestCase("app.signed.test A", "192.0.2.1")]
    [TestCase("anything.dev.signed.test A", "192.0.2.99")]
    [TestCase("two.labels.dev.signed.test A", "192.0.2.99")]
    [TestCase("child.signed.test DS", "60485 13 2")]
    [TestCase("signed.test CDS", "CDS")]
    [TestCase("signed.test CDNSKEY", "CDNSKEY")]
    public async Task PositiveAnswersValidate(string query, string expected)
    {
        string output = await Delv(query);
        Assert.That(output, Does.Contain("; fully validated"), output);
        Assert.That(output, Does.Contain(expected));
    }

    [TestCase("missing.signed.test A")]
    [TestCase("deep.missing.signed.test AAAA")]
    [TestCase("www.signed.test TXT")]
    [TestCase("lb.signed.test AAAA")]
    [TestCase("anything.dev.signed.test TXT")]
    [TestCase("sub.signed.test DS")]
    public async Task DenialsValidate(string query)
    {
        string output = await Delv(query);
        Assert.That(output, Does.Contain("; negative response, fully validated"), output);
    }

    [Test]
    public async Task AnAnchorOfAnotherKeyIsBogus()
    {
        string other = Path.Combine(_keys, "other");
        Directory.CreateDirectory(other);
        Assert.That(KeygenCommand.Run(["signed.test", "--keys", other], TextWriter.Null, TextWriter.Null), Is.Zero);
        var ds = new StringWriter();
        Assert.That(DsCommand.Run(["signed.test", "--keys", other], ds, TextWriter.Null), Is.Zero);
        string[] fields = ds.ToString().Split('\n')[0].Split(' ');
        string anchor = Path.Combine(other, "anchor.conf");
        File.WriteAllText(anchor, $"trust-anchors {{ signed.test. static-ds {fields[3]} {fields[4]} {fields[5]} \"{fields[6]}\"; }};\n");

        string output = await Delv("www.signed.test A", anchor);

        Assert.That(output, Does.Not.Contain("fully validated"));
        Assert.That(output, Does.Contain("resolution failed"));
    }

    private async Task<string> Delv(string query, string? anchor = null)
    {
        var (_, output) = await ChildProcess.RunAsync("delv",
            [$"@{_server.EndPoint.Address}", "-p", _server.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-a", anchor ?? _anchor, "+root=signed.test", .. query.Split(' ')],
            _keys, null, TimeSpan.FromSeconds(20));
        return output;
    }
}
