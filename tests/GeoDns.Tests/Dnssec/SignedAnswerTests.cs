using GeoDns.Core;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Dnssec;

/// <summary>The shape of signed answers as dig shows them: what is signed, by which key, cached, truncated, flagged.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class SignedAnswerTests
{
    private const string Zone = """
        $ORIGIN signed.test.
        $TTL 300
        @         SOA   ns hostmaster 1 3600 900 604800 60
        @         NS    ns
        ns        A     192.0.2.53
        www       A     192.0.2.1
        $REGION   r1    continents=EU
        spread    30 POOL   A policy=weighted max-answers=1
        spread    30 MEMBER r1 192.0.2.20
        spread    30 MEMBER r1 192.0.2.21
        spread    30 MEMBER r1 192.0.2.22
        sub       NS    ns.sub
        ns.sub    A     192.0.2.77
        child     NS    ns.child
        child     DS    60485 13 2 2D711642B726B04401627CA9FBAC32F5C8530FB1903CC4DB02258717921A4881
        ns.child  A     192.0.2.80
        """;

    private string _keys = null!;
    private int _activeZsk;
    private int _retiredZsk;
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _keys = Path.Combine(Path.GetTempPath(), "geodns-signed-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_keys);
        await KeyDirectoryTests.DnssecKeygen(_keys, "signed.test", "ECDSAP256SHA256", ["-f", "KSK"]);
        _activeZsk = Tag(await KeyDirectoryTests.DnssecKeygen(_keys, "signed.test", "ECDSAP256SHA256", []));
        _retiredZsk = Tag(await KeyDirectoryTests.DnssecKeygen(_keys, "signed.test", "ECDSAP256SHA256", ["-P", "now-3d", "-A", "now-3d", "-I", "now-1h"]));
        var text = new System.Text.StringBuilder(Zone).Append('\n');
        for (int i = 0; i < 40; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"big TXT \"record number {i} of a large RRset, to overflow small UDP buffers\"\n");
        }

        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["signed.test.zone"] = text.ToString() }, new Dictionary<string, string?> { ["Keys"] = _keys });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _server.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    [Test]
    public async Task WithoutDoNothingIsSigned()
    {
        string output = await DigTests.Dig(_server.EndPoint, "www.signed.test A +norec");
        Assert.That(output, Does.Contain("192.0.2.1"));
        Assert.That(output, Does.Not.Contain("RRSIG"));
        string missing = await DigTests.Dig(_server.EndPoint, "missing.signed.test A +norec");
        Assert.That(missing, Does.Contain("status: NXDOMAIN").And.Not.Contain("NSEC"));
    }

    [Test]
    public async Task OnlyTheActiveZoneSigningKeySignsWhileTheRetiredOneStaysPublished()
    {
        string dnskey = await DigTests.Dig(_server.EndPoint, "signed.test DNSKEY +dnssec +norec +multi");
        Assert.That(dnskey, Does.Contain($"key id = {_retiredZsk}").And.Contain($"key id = {_activeZsk}"));
        string output = await DigTests.Dig(_server.EndPoint, "www.signed.test A +dnssec +norec");
        Assert.That(output, Does.Match($@"RRSIG\s+A 13 3 300 \d+ \d+ {_activeZsk} signed\.test\."));
        Assert.That(output, Does.Not.Contain($" {_retiredZsk} signed.test."));
    }

    [Test]
    public async Task APoolAnswerIsSignedOncePerMemberSet()
    {
        // ECDSA signatures are randomized: the same RRSIG twice means it came from the cache.
        var signatures = new Dictionary<string, HashSet<string>>();
        for (int i = 0; i < 30; i++)
        {
            string output = await DigTests.Dig(_server.EndPoint, "spread.signed.test A +dnssec +norec +short");
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            string address = lines.Single(l => l.StartsWith("192.0.2.", StringComparison.Ordinal));
            signatures.TryAdd(address, []);
            signatures[address].Add(lines.Single(l => l.StartsWith("A 13 ", StringComparison.Ordinal)));
        }

        Assert.That(signatures.Keys, Has.Count.GreaterThan(1), "the weighted pool answered more than one member");
        Assert.That(signatures.Values.Select(s => s.Count), Is.All.EqualTo(1), "one signature per member set");
        Assert.That(_server.Services.GetRequiredService<QueryProcessor>().Signer!.Cache.Count, Is.LessThan(20));
    }

    [Test]
    public async Task ASignedAnswerTooBigForTheClientSetsTcAndTcpCarriesIt()
    {
        string udp = await DigTests.Dig(_server.EndPoint, "big.signed.test TXT +dnssec +norec +bufsize=1232 +ignore");
        Assert.That(udp, Does.Match(@"flags: qr aa tc;"));
        Assert.That(udp, Does.Contain("ANSWER: 0"));
        string tcp = await DigTests.Dig(_server.EndPoint, "big.signed.test TXT +dnssec +norec +tcp");
        Assert.That(tcp, Does.Contain("ANSWER: 41"), "40 TXT records and one RRSIG");
        string small = await DigTests.Dig(_server.EndPoint, "www.signed.test A +dnssec +norec +bufsize=512");
        Assert.That(small, Does.Not.Contain(" tc"));
    }

    [Test]
    public async Task AnyOverUdpStaysOneSignedRRset()
    {
        string output = await DigTests.Dig(_server.EndPoint, "www.signed.test ANY +dnssec +norec");
        Assert.That(output, Does.Contain("ANSWER: 2,"), "RFC 8482: one RRset, and its RRSIG");
        Assert.That(output, Does.Match(@"RRSIG\s+A 13 3 300"));
    }

    [Test]
    public async Task AdIsNeverSetAndCdIsEchoed()
    {
        string output = await DigTests.Dig(_server.EndPoint, "www.signed.test A +dnssec +norec +adflag +cdflag");
        Assert.That(output, Does.Match(@"flags: qr aa cd;"));
    }

    [Test]
    public async Task ASecureDelegationCarriesItsSignedDsAndAnInsecureOneAnNsecWithoutDs()
    {
        string secure = await DigTests.Dig(_server.EndPoint, "www.child.signed.test A +dnssec +norec");
        Assert.That(secure, Does.Match(@"child\.signed\.test\.\s+300\s+IN\s+DS\s+60485 13 2"));
        Assert.That(secure, Does.Match(@"RRSIG\s+DS 13 3 300"));
        Assert.That(secure, Does.Match(@"ns\.child\.signed\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.80"));
        Assert.That(secure, Does.Not.Match(@"RRSIG\s+(A|NS) "), "glue and the delegation NS are not signed");

        string insecure = await DigTests.Dig(_server.EndPoint, "www.sub.signed.test A +dnssec +norec");
        Assert.That(insecure, Does.Match(@"sub\.signed\.test\.\s+300\s+IN\s+NSEC\s+\\000\.sub\.signed\.test\. NS RRSIG NSEC"));
        Assert.That(insecure, Does.Match(@"RRSIG\s+NSEC 13 3 "));
    }

    [Test]
    public async Task DenialIsCompactWithNxnameForNamesThatDoNotExist()
    {
        string missing = await DigTests.Dig(_server.EndPoint, "missing.signed.test A +dnssec +norec");
        Assert.That(missing, Does.Contain("status: NOERROR"));
        Assert.That(missing, Does.Match(@"missing\.signed\.test\.\s+60\s+IN\s+NSEC\s+\\000\.missing\.signed\.test\. RRSIG NSEC TYPE128"));
        string pool = await DigTests.Dig(_server.EndPoint, "spread.signed.test AAAA +dnssec +norec");
        Assert.That(pool, Does.Match(@"spread\.signed\.test\.\s+60\s+IN\s+NSEC\s+\\000\.spread\.signed\.test\. A RRSIG NSEC"), "a pool's name lists the pool's type");
        string apex = await DigTests.Dig(_server.EndPoint, "signed.test TXT +dnssec +norec");
        Assert.That(apex, Does.Match(@"NSEC\s+\\000\.signed\.test\. NS SOA RRSIG NSEC DNSKEY (TYPE59|CDS) (TYPE60|CDNSKEY)"));
    }

    private static int Tag(string baseName) => int.Parse(baseName[^5..], System.Globalization.CultureInfo.InvariantCulture);
}
