using ARSoft.Tools.Net.Dns;
using GeoDns.Tests.Cli;

namespace GeoDns.Tests.Server;

/// <summary>
/// RFC 2308 NODATA for traffic-managed names: a type the pool does not answer carries the
/// zone SOA in authority, whether asked directly or at the end of a CNAME chain, exactly
/// like a static chain. Served from the sample zone (zones/example.com.zone).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class PoolNoDataTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        var sample = await File.ReadAllTextAsync(Path.Combine(ProgramTests.RepositoryRoot(), "zones", "example.com.zone"));
        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["example.com.zone"] = sample });
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private static void AssertNoDataWithSoa(DnsMessage reply, string question, params string[] chain)
    {
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError), question);
            Assert.That(reply.IsAuthoritiveAnswer, Is.True, question);
            Assert.That(reply.AnswerRecords.Select(r => $"{r.Name} {r.RecordType}"), Is.EqualTo(chain), question);
            var soa = reply.AuthorityRecords.OfType<SoaRecord>().ToList();
            Assert.That(soa, Has.Count.EqualTo(1), question + ": the SOA in authority");
            Assert.That(reply.AuthorityRecords, Has.Count.EqualTo(1), question);
            if (soa.Count == 1)
            {
                Assert.That(soa[0].Name.ToString(), Is.EqualTo("example.com."), question);
                Assert.That(soa[0].TimeToLive, Is.EqualTo(60), question + ": min(SOA TTL, minimum)");
            }
        });
    }

    [TestCase(RecordType.Aaaa)]
    [TestCase(RecordType.Mx)]
    [TestCase(RecordType.Txt)]
    public async Task ChainEndingInAPoolOfAnotherTypeIsNoDataWithSoa(RecordType type)
    {
        var query = new QueryBuilder { Name = "www.example.com.", Type = (ushort)type };
        AssertNoDataWithSoa(await DnsTestClient.UdpAsync(_server.EndPoint, query), $"www {type} over UDP", "www.example.com. CName");
        AssertNoDataWithSoa(await DnsTestClient.TcpAsync(_server.EndPoint, query), $"www {type} over TCP", "www.example.com. CName");
    }

    [Test]
    public async Task StaticChainOfTheSameShapeCarriesTheSoaToo()
    {
        var reply = await DnsTestClient.UdpAsync(_server.EndPoint, new QueryBuilder { Name = "api.example.com.", Type = (ushort)RecordType.Aaaa });
        AssertNoDataWithSoa(reply, "api AAAA", "api.example.com. CName", "app.example.com. CName");
    }

    [TestCase(RecordType.Aaaa)]
    [TestCase(RecordType.Mx)]
    public async Task PoolAskedDirectlyForAnotherTypeIsNoDataWithSoa(RecordType type)
    {
        var reply = await DnsTestClient.UdpAsync(_server.EndPoint, new QueryBuilder { Name = "www.gtm.example.com.", Type = (ushort)type });
        AssertNoDataWithSoa(reply, $"www.gtm {type}");
    }

    [Test]
    public async Task ChainToThePoolForItsTypeStillAnswersAMember()
    {
        var reply = await DnsTestClient.UdpAsync(_server.EndPoint, new QueryBuilder { Name = "www.example.com." });
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.AnswerRecords.Select(r => $"{r.Name} {r.RecordType}"),
                Is.EqualTo(new[] { "www.example.com. CName", "www.gtm.example.com. A" }));
            Assert.That(reply.AuthorityRecords, Is.Empty);
        });
    }

    [Test]
    public async Task DigSeesTheSoaInAuthority()
    {
        var output = await DigTests.Dig(_server.EndPoint, "www.example.com AAAA +norec");
        Assert.That(output, Does.Contain("status: NOERROR"));
        Assert.That(output, Does.Contain("ANSWER: 1, AUTHORITY: 1"));
        Assert.That(output, Does.Match(@"example\.com\.\s+60\s+IN\s+SOA"));
    }
}
