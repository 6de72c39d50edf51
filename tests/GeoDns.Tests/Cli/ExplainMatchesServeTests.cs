using ARSoft.Tools.Net.Dns;
using GeoDns.Cli;
using GeoDns.Tests.Server;

namespace GeoDns.Tests.Cli;

/// <summary>
/// <c>geodns explain</c> tells what <c>geodns serve</c> answers: the same zones folder is served
/// by a real in-process server on a loopback port and explained, and every record explain
/// prints, section by section, is the one the server sent over UDP.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class ExplainMatchesServeTests
{
    private const string Parent = """
        $ORIGIN example.test.
        $TTL 300
        @         SOA   ns hostmaster 1 3600 900 604800 60
        @         NS    ns
        ns        A     192.0.2.53
        $REGION   r1    continents=EU
        $REGION   r2    continents=NA
        *.app     CNAME lb.gtm
        lb.gtm    30 POOL   A policy=failover
        lb.gtm    30 MEMBER r1 192.0.2.10 priority=1
        lb.gtm    30 MEMBER r2 192.0.2.11 priority=2
        off       30 POOL   A policy=failover if-all-down=none
        off       30 MEMBER r1 192.0.2.20 enabled=false
        tooff     CNAME off
        cn        30 POOL   CNAME policy=failover
        cn        30 MEMBER r1 a.example.net.
        mail      A     192.0.2.25
        @         MX    10 mail
        sub       NS    ns.sub
        ns.sub    A     192.0.2.77
        alias.sub CNAME lb.gtm
        child     NS    ns.child
        child     DS    60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
        ns.child  A     192.0.2.80
        """;

    private const string Child = """
        $ORIGIN child.example.test.
        $TTL 300
        @    SOA ns hostmaster 7 3600 900 604800 30
        @    NS  ns
        ns   A   192.0.2.80
        """;

    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["example.test.zone"] = Parent,
            ["child.example.test.zone"] = Child,
        });
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test]
    public async Task WildcardThatCnamesIntoAPoolIsExplainedAsTheServerAnswersIt()
    {
        var (code, text) = Explain("x.app.example.test");
        var served = await AskAsync("x.app.example.test", RecordType.A);

        AssertSameReply(text, served);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, text);
            Assert.That(text, Does.Contain("no live health state"), "explain says it runs offline");
            Assert.That(text, Does.Contain("chain:      x.app.example.test. 300 IN CNAME lb.gtm.example.test.   (synthesised from *.app.example.test. at "));
            Assert.That(text, Does.Contain("pool:       lb.gtm.example.test. at "));
            Assert.That(text, Does.Contain("answer:     lb.gtm.example.test. 30 IN A 192.0.2.10   (pool member 192.0.2.10, region r1)"));
            Assert.That(text, Does.Contain("failover order"), "the selection trace");
            Assert.That(served.AnswerRecords.OfType<ARecord>().Single().Address.ToString(), Is.EqualTo("192.0.2.10"));
        });
    }

    /// <summary>alias.sub CNAMEs into the pool, but it is below the sub cut: the server refers, it does not answer.</summary>
    [Test]
    public async Task NameUnderADelegationIsExplainedAsAReferral()
    {
        var (code, text) = Explain("alias.sub.example.test");
        var served = await AskAsync("alias.sub.example.test", RecordType.A);

        AssertSameReply(text, served);
        Assert.Multiple(() =>
        {
            Assert.That(served.IsAuthoritiveAnswer, Is.False);
            Assert.That(served.AnswerRecords, Is.Empty);
            Assert.That(code, Is.EqualTo(1), text);
            Assert.That(text, Does.Contain("result:     referral to sub.example.test.:"));
            Assert.That(text, Does.Contain("authority:  sub.example.test. 300 IN NS ns.sub.example.test."));
            Assert.That(text, Does.Contain("additional: ns.sub.example.test. 300 IN A 192.0.2.77"));
            Assert.That(text, Does.Not.Contain("pool:"));
            Assert.That(text, Does.Not.Contain("\nanswer:").And.Not.Contain("\nchain:"), "no answer line");
        });
    }

    [TestCase("nothing.example.test", "A", "NXDOMAIN: nothing.example.test. does not exist", TestName = "Explain NXDOMAIN as served")]
    [TestCase("mail.example.test", "TXT", "NODATA: mail.example.test. exists but has no TXT records", TestName = "Explain NODATA as served")]
    [TestCase("x.app.example.test", "AAAA", "NODATA: the CNAME chain ends at lb.gtm.example.test., which has no AAAA", TestName = "Explain a pool of another type as served")]
    [TestCase("tooff.example.test", "A", "NODATA: the pool off.example.test. chose no member", TestName = "Explain a pool that chooses nobody as served")]
    [TestCase("cn.example.test", "TXT", "answer: 1 record(s) chosen by the pool cn.example.test.", TestName = "Explain a CNAME pool as served")]
    [TestCase("example.test", "mx", "answer: 1 MX record(s)", TestName = "Explain static data with additional addresses as served")]
    [TestCase("host.child.example.test", "A", "NXDOMAIN", TestName = "Explain a name of the child zone as served")]
    [TestCase("child.example.test", "DS", "answer: 1 DS record(s)", TestName = "Explain DS at a child apex from the parent as served")]
    [TestCase("www.example.org", "A", "REFUSED: www.example.org. is in no zone served here", TestName = "Explain REFUSED as served")]
    public async Task EveryOutcomeIsWhatTheServerAnswers(string name, string type, string result)
    {
        var (_, text) = Explain(name, "--type", type);
        var served = await AskAsync(name, Enum.Parse<RecordType>(type, ignoreCase: true));

        AssertSameReply(text, served);
        Assert.That(text, Does.Contain($"result:     {result}"));
    }

    [TestCase("TXT")]
    [TestCase("txt")]
    [TestCase("TYPE16")]
    public void TypeIsAnyRecordTypeName(string type)
    {
        var (_, text) = Explain("mail.example.test", "--type", type);
        Assert.That(text, Does.Contain("query:      mail.example.test. IN TXT"));
    }

    [Test]
    public void AnUnknownTypeNameIsAUsageError()
    {
        var (code, text) = Explain("mail.example.test", "--type", "NOPE");
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(text, Does.Contain("bad --type 'NOPE'"));
        });
    }

    private (int Code, string Text) Explain(params string[] args)
    {
        var output = new StringWriter();
        int code = ExplainCommand.Run([.. args, "--zones", _server.Directory], output);
        return (code, output.ToString());
    }

    private Task<DnsMessage> AskAsync(string name, RecordType type) =>
        DnsTestClient.UdpAsync(_server.EndPoint, new QueryBuilder { Name = name, Type = (ushort)type });

    /// <summary>Explain's reply line and its records, section by section, are the server's.</summary>
    private static void AssertSameReply(string text, DnsMessage served)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        string rcode = served.ReturnCode switch
        {
            ReturnCode.NoError => "NOERROR",
            ReturnCode.NxDomain => "NXDOMAIN",
            ReturnCode.Refused => "REFUSED",
            var other => other.ToString(),
        };
        string summary = $"reply:      {rcode}, {(served.IsAuthoritiveAnswer ? "authoritative" : "not authoritative")}, " +
            $"{served.AnswerRecords.Count} answer, {served.AuthorityRecords.Count} authority, {served.AdditionalRecords.Count} additional";
        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain(summary), text);
            Assert.That(Records(lines, "chain:", "answer:"), Is.EqualTo(served.AnswerRecords.Select(r => r.ToString())), "answer section\n" + text);
            Assert.That(Records(lines, "authority:"), Is.EqualTo(served.AuthorityRecords.Select(r => r.ToString())), "authority section\n" + text);
            Assert.That(Records(lines, "additional:"), Is.EqualTo(served.AdditionalRecords.Select(r => r.ToString())), "additional section\n" + text);
        });
    }

    /// <summary>The records of the lines with one of <paramref name="labels"/>, without explain's note of where each comes from.</summary>
    private static List<string> Records(List<string> lines, params string[] labels) =>
        [.. lines.Where(l => labels.Any(label => l.StartsWith(label.PadRight(12), StringComparison.Ordinal)))
            .Select(l => l[12..])
            .Select(l => l.IndexOf("   (", StringComparison.Ordinal) is var at and >= 0 ? l[..at] : l)];
}
