using System.Net;
using ARSoft.Tools.Net.Dns;
using GeoDns.Cli;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;
using GeoDns.Core;
using GeoDns.Geo;
using GeoDns.Tests.Server;

namespace GeoDns.Tests.Geo;

/// <summary>The DESIGN.md example zone, served in-process with a GeoIP2 City database the test writes.</summary>
public class DesignExampleTests
{
    public const string Zone = """
        $ORIGIN example.com.
        $TTL 3600
        @        SOA    ns1 hostmaster 2026112601 7200 900 1209600 60
        @        NS     ns1
        @        NS     ns2
        ns1      A      192.0.2.53
        ns2      A      198.51.100.53
        $REGION  us-east  continents=NA countries=US,CA,MX lat=38.9 lon=-77.4
        $REGION  eu-west  continents=EU,AF countries=IE,GB lat=53.3 lon=-6.2 cidrs=203.0.113.0/24
        $CHECK   web  https  ( port=443 path=/healthz host=www.example.com expect=200-299 body="ok"
                               interval=2s timeout=1s rise=2 fall=2 )
        www      CNAME  www.gtm
        www.gtm  30  POOL    A  policy=geo fallback=nearest check=web max-answers=1 if-all-down=all
        www.gtm  30  MEMBER  us-east  192.0.2.10  weight=3
        www.gtm  30  MEMBER  us-east  192.0.2.11  weight=1
        www.gtm  30  MEMBER  eu-west  198.51.100.10
        """;

    private static readonly string[] UsEast = ["192.0.2.10", "192.0.2.11"];
    private static readonly string[] EuWest = ["198.51.100.10"];

    private string _directory = null!;
    private MaxMindLocator _locator = null!;
    private QueryProcessor _processor = null!;

    [OneTimeSetUp]
    public void Serve()
    {
        _directory = Directory.CreateTempSubdirectory("geodns-design-").FullName;
        File.WriteAllText(Path.Combine(_directory, "example.com.zone"), Zone);
        _locator = new MaxMindLocator(TestGeoDatabases.WriteCity(_directory));
        var file = ZoneFileLoader.Parse(Zone, "example.com.zone", DnsName.Parse("example.com."), TrafficVocabulary.BuiltIn);
        Assert.That(file.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
        // Seeded: the weighted draws (and so every test here) repeat run after run.
        var compiler = new TrafficCompiler(new HealthBoard(), TrafficVocabulary.BuiltIn.Policies, _locator, random: new SeededRandomSource(20_261_129));
        _processor = new QueryProcessor(new Snapshot([ZonePipeline.BuildZone(file, compiler)]));
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _locator.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [TestCase("216.160.83.57", "us-east", 29, TestName = "US (WA) by country")]
    [TestCase("10.20.1.1", "us-east", 16, TestName = "US (CA) by country")]
    [TestCase("81.2.69.170", "eu-west", 27, TestName = "GB by country")]
    [TestCase("89.160.20.200", "eu-west", 25, TestName = "SE by continent")]
    [TestCase("2a02:d180::1", "eu-west", 29, TestName = "DE over IPv6 by continent")]
    [TestCase("175.16.199.1", "eu-west", 24, TestName = "CN: no region, nearest")]
    [TestCase("2001:218::1", "eu-west", 32, TestName = "JP: no region, nearest")]
    [TestCase("1.130.0.1", "us-east", 11, TestName = "AU: no region, nearest is us-east")]
    [TestCase("203.0.113.7", "eu-west", 24, TestName = "CIDR override")]
    public void AnswersWithTheDocumentedRegionAndScope(string client, string region, int scope)
    {
        var address = IPAddress.Parse(client);
        int sourcePrefix = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var reply = Ask("www.example.com.", address, sourcePrefix, source: "127.0.0.1");

        Assert.That(reply.AnswerRecords.OfType<CNameRecord>().Single().CanonicalName.ToString(), Is.EqualTo("www.gtm.example.com."));
        var a = reply.AnswerRecords.OfType<ARecord>().Single();
        Assert.That(region == "us-east" ? UsEast : EuWest, Does.Contain(a.Address.ToString()));
        Assert.That(a.TimeToLive, Is.EqualTo(30));
        Assert.That(Scope(reply), Is.EqualTo(scope));
    }

    [Test]
    public void TheSourceAddressDecidesWithoutEcs()
    {
        var reply = Ask("www.gtm.example.com.", null, 0, source: "81.2.69.170");

        Assert.That(reply.AnswerRecords.OfType<ARecord>().Single().Address.ToString(), Is.EqualTo("198.51.100.10"));
    }

    [Test]
    public void EcsScopeIsCappedAtTheSourcePrefix()
    {
        // Telling 203.0.0.0/16 apart from the 203.0.113.0/24 override takes 18 bits; the resolver gave 16.
        var reply = Ask("www.gtm.example.com.", IPAddress.Parse("203.0.0.0"), 16, source: "127.0.0.1");

        Assert.That(Scope(reply), Is.EqualTo(16));
    }

    [Test]
    public void WeightedThreeToOneHoldsOver1200Queries()
    {
        var counts = new Dictionary<string, int>();
        for (int i = 0; i < 1200; i++)
        {
            string address = Ask("www.example.com.", IPAddress.Parse("216.160.83.56"), 29, "127.0.0.1").AnswerRecords.OfType<ARecord>().Single().Address.ToString();
            counts[address] = counts.GetValueOrDefault(address) + 1;
        }

        // weight 3 of 4: p = 0.75; five standard deviations of the share of 1,200 draws either way.
        double p = 0.75, fiveSigma = 5 * Math.Sqrt(p * (1 - p) / 1200);
        Assert.That(counts.Keys, Is.EquivalentTo(UsEast));
        Assert.That(counts["192.0.2.10"] / 1200.0, Is.EqualTo(p).Within(fiveSigma));
    }

    [Test]
    public void ExplainTellsWhyTokyoGetsEurope()
    {
        var output = new StringWriter();
        string db = Path.Combine(_directory, "city.mmdb");

        int code = ExplainCommand.Run(["www.example.com", "--client", "2001:218::1", "--zones", _directory, "--geoip", db], output);

        string text = output.ToString();
        Assert.That(code, Is.Zero, text);
        Assert.That(text, Does.Contain("chain:      www.example.com. 3600 IN CNAME www.gtm.example.com."));
        Assert.That(text, Does.Contain("2001:218::/32"));
        Assert.That(text, Does.Contain("country JP"));
        Assert.That(text, Does.Contain("fallback nearest"));
        Assert.That(text, Does.Contain("region:     eu-west"));
        Assert.That(text, Does.Contain("answer:     www.gtm.example.com. 30 IN A 198.51.100.10"));
        Assert.That(text, Does.Contain("ecs scope:  /32"));
    }

    [Test]
    public void ExplainWithoutDatabaseOrPool()
    {
        var output = new StringWriter();

        Assert.That(ExplainCommand.Run(["www.example.com", "--subnet", "203.0.113.0/24", "--zones", _directory], output), Is.Zero);
        Assert.That(output.ToString(), Does.Contain("matched by CIDR 203.0.113.0/24"));

        output = new StringWriter();
        Assert.That(ExplainCommand.Run(["ns1.example.com", "--zones", _directory], output), Is.EqualTo(1));
        Assert.That(output.ToString(), Does.Contain("is not a traffic-managed name"));
    }

    /// <summary>Deterministic draws for the policies: a seeded <see cref="Random"/>.</summary>
    private sealed class SeededRandomSource(int seed) : IRandomSource
    {
        private readonly Random _random = new(seed);

        public long Next(long exclusiveMax) => _random.NextInt64(exclusiveMax);
    }

    private static int? Scope(DnsMessage reply) =>
        reply.EDnsOptions?.Options.OfType<ClientSubnetOption>().SingleOrDefault()?.ScopeNetmask;

    private DnsMessage Ask(string name, IPAddress? subnet, int sourcePrefix, string source)
    {
        var options = new List<(ushort, byte[])>();
        if (subnet is not null)
        {
            var bytes = subnet.GetAddressBytes()[..((sourcePrefix + 7) / 8)];
            options.Add((8, QueryBuilder.Subnet(subnet.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? (ushort)1 : (ushort)2, (byte)sourcePrefix, 0, bytes)));
        }

        var query = new QueryBuilder { Name = name, Edns = true, Options = options }.Build();
        var response = new byte[4096];
        int length = _processor.Process(query, response, ClientAddress.FromIPAddress(IPAddress.Parse(source)), overTcp: false);
        return DnsMessage.Parse(response[..length]);
    }
}
