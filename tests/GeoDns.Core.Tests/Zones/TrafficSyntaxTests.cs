using System.Net;
using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

public class TrafficSyntaxTests
{
    /// <summary>The example zone of DESIGN.md, verbatim.</summary>
    public const string DesignExample = """
        $ORIGIN example.com.
        $TTL 3600
        @        SOA    ns1 hostmaster 2026112601 7200 900 1209600 60
        @        NS     ns1
        @        NS     ns2
        ns1      A      192.0.2.53
        ns2      A      198.51.100.53

        ; Regions: where members run and which clients they serve.
        $REGION  us-east  continents=NA countries=US,CA,MX lat=38.9 lon=-77.4
        $REGION  eu-west  continents=EU,AF countries=IE,GB lat=53.3 lon=-6.2 cidrs=203.0.113.0/24

        ; Liveness tests, shared by pools.
        $CHECK   web  https  ( port=443 path=/healthz host=www.example.com expect=200-299 body="ok"
                               interval=2s timeout=1s rise=2 fall=2 )

        ; The public name hands off to the managed name (EdgeDNS -> GTM).
        www      CNAME  www.gtm

        ; A managed name: one POOL line, then its members.
        www.gtm  30  POOL    A  policy=geo fallback=nearest check=web max-answers=1 if-all-down=all
        www.gtm  30  MEMBER  us-east  192.0.2.10  weight=3
        www.gtm  30  MEMBER  us-east  192.0.2.11  weight=1
        www.gtm  30  MEMBER  eu-west  198.51.100.10

        """;

    private const string Regions = "$REGION r1 continents=EU\n$REGION r2 countries=US-CA\n$CHECK web http path=/\n";

    [Test]
    public void DesignExampleLoadsWithZeroErrors()
    {
        var zone = Parse(DesignExample);
        AssertClean(zone);
        Assert.That(zone.Records, Has.Count.EqualTo(6));
        Assert.That(zone.Records.Any(e => e.Record.Owner == N("www.gtm.example.com.")), Is.False, "POOL/MEMBER never become records");

        Assert.That(zone.Regions.Select(r => r.Name), Is.EqualTo(new[] { "us-east", "eu-west" }));
        var east = zone.Regions[0];
        Assert.That(east.Continents, Is.EqualTo(new[] { "NA" }));
        Assert.That(east.Countries, Is.EqualTo(new[] { "US", "CA", "MX" }));
        Assert.That(east.Latitude, Is.EqualTo(38.9));
        Assert.That(east.Longitude, Is.EqualTo(-77.4));
        Assert.That(zone.Regions[1].Cidrs, Is.EqualTo(new[] { IPNetwork.Parse("203.0.113.0/24") }));
        Assert.That(east.Location.ToString(), Is.EqualTo("example.com.zone:10:1"));

        var check = zone.Checks.Single();
        Assert.That(check.Name, Is.EqualTo("web"));
        Assert.That(check.Kind, Is.EqualTo("https"));
        Assert.That(check.Settings["body"], Is.EqualTo("ok"));
        Assert.That(check.Settings["expect"], Is.EqualTo("200-299"));
        Assert.That(check.Settings["interval"], Is.EqualTo("2s"));
        Assert.That(check.Settings, Has.Count.EqualTo(9));

        var pool = zone.Pools.Single();
        Assert.That(pool.Owner, Is.EqualTo(N("www.gtm.example.com.")));
        Assert.That(pool.Type, Is.EqualTo(RecordType.A));
        Assert.That(pool.Ttl, Is.EqualTo(30));
        Assert.That(pool.Policy, Is.EqualTo("geo"));
        Assert.That(pool.Fallback, Is.EqualTo("nearest"));
        Assert.That(pool.Check, Is.EqualTo("web"));
        Assert.That(pool.MaxAnswers, Is.EqualTo(1));
        Assert.That(pool.IfAllDown, Is.EqualTo("all"));
        Assert.That(pool.StickySubnet, Is.False);
        Assert.That(pool.Location.ToString(), Is.EqualTo("example.com.zone:21:1"));
        Assert.That(pool.Members.Select(m => (m.Region, m.Target, m.Weight)),
            Is.EqualTo(new[] { ("us-east", "192.0.2.10", 3), ("us-east", "192.0.2.11", 1), ("eu-west", "198.51.100.10", 1) }));
        Assert.That(pool.Members[2].RData, Is.EqualTo(new byte[] { 198, 51, 100, 10 }));
        Assert.That(pool.Members.All(m => m.Enabled && m.Priority is null && m.Check is null), Is.True);
    }

    [Test]
    public void PoolDefaults()
    {
        var zone = WithHeader(Regions + "p POOL A\np MEMBER r1 192.0.2.1\nall POOL AAAA policy=all\nall MEMBER r1 2001:db8::1\n");
        AssertClean(zone);
        var p = zone.Pools.Single(x => x.Owner == N("p.example.com."));
        Assert.That((p.Policy, p.Fallback, p.Check, p.MaxAnswers, p.IfAllDown, p.Ttl), Is.EqualTo(("failover", "failover", (string?)null, 1, "all", 3600u)));
        var all = zone.Pools.Single(x => x.Owner == N("all.example.com."));
        Assert.That(all.MaxAnswers, Is.EqualTo(8));
        Assert.That(all.Members.Single().RData, Is.EqualTo(IPAddress.Parse("2001:db8::1").GetAddressBytes()));
    }

    [Test]
    public void CnamePoolMembersAndMemberKeys()
    {
        var zone = WithHeader(Regions +
            "c POOL CNAME policy=weighted sticky=subnet if-all-down=none\n" +
            "c MEMBER r1 edge1.cdn.net. weight=0 priority=2 check=web enabled=false target=192.0.2.7 port=8080 path=/x interval=500ms timeout=100ms\n" +
            "  MEMBER r2 edge2 weight=65535\n");
        AssertClean(zone);
        var pool = zone.Pools.Single();
        Assert.That(pool.StickySubnet, Is.True);
        Assert.That(pool.IfAllDown, Is.EqualTo("none"));
        var m1 = pool.Members[0];
        Assert.That((m1.Target, m1.Weight, m1.Priority, m1.Check, m1.Enabled), Is.EqualTo(("edge1.cdn.net.", 0, (int?)2, (string?)"web", false)));
        Assert.That(m1.Settings["target"], Is.EqualTo("192.0.2.7"));
        Assert.That(m1.Settings["port"], Is.EqualTo("8080"));
        Assert.That(m1.RData, Is.EqualTo(N("edge1.cdn.net.").Wire.ToArray()));
        Assert.That(pool.Members[1].Target, Is.EqualTo("edge2.example.com."));
    }

    [Test]
    public void RegionAndCheckKeys()
    {
        var zone = WithHeader(
            "$REGION all continents=af,AN,AS,EU,NA,OC,SA countries=SE,us-ca cidrs=10.0.0.0/8,2001:db8::/32 asns=AS64500,64501 lat=-90 lon=180\n" +
            "$CHECK d dns port=53 name=www.example.com. type=AAAA rcode=NXDOMAIN answer=2001:db8::1 interval=1m timeout=2s quorum=majority rise=1 fall=3\n" +
            "$CHECK t tcp port=22 target=192.0.2.1\n$CHECK i icmp interval=100ms\n$CHECK h http expect=200,204,300-399 host=a.b\n" +
            "$CHECK s https insecure=true body=\"a b\"\n");
        AssertClean(zone);
        var region = zone.Regions.Single();
        Assert.That(region.Continents, Has.Count.EqualTo(7));
        Assert.That(region.Countries, Is.EqualTo(new[] { "SE", "US-CA" }));
        Assert.That(region.Asns, Is.EqualTo(new uint[] { 64500, 64501 }));
        Assert.That(region.Cidrs, Has.Count.EqualTo(2));
        Assert.That(zone.Checks.Select(c => c.Kind), Is.EqualTo(new[] { "dns", "tcp", "icmp", "http", "https" }));
        Assert.That(zone.Checks.Single(c => c.Name == "s").Settings["body"], Is.EqualTo("a b"));
        Assert.That(zone.Checks.Single(c => c.Name == "d").Settings["answer"], Is.EqualTo("2001:db8::1"));
    }

    [TestCase("$REGION r continents=XX", "example.com.zone:6:22", "unknown continent")]
    [TestCase("$REGION r countries=SWE", "example.com.zone:6:21", "bad country")]
    [TestCase("$REGION r cidrs=10.0.0.1/8", "example.com.zone:6:17", "bad CIDR")]
    [TestCase("$REGION r cidrs=10.0.0.0", "example.com.zone:6:17", "bad CIDR")]
    [TestCase("$REGION r cidrs=10.0.0.0/33", "example.com.zone:6:17", "bad CIDR")]
    [TestCase("$REGION r cidrs=2001:db8::1/32", "example.com.zone:6:17", "bad CIDR")]
    [TestCase("$REGION r asns=ASX", "example.com.zone:6:16", "bad ASN")]
    [TestCase("$REGION r lat=91 lon=0", "example.com.zone:6:15", "bad latitude")]
    [TestCase("$REGION r lat=1", "example.com.zone:6:1", "both lat= and lon=")]
    [TestCase("$REGION r color=red", "example.com.zone:6:11", "unknown $REGION key 'color'")]
    [TestCase("$REGION r lat=1 lat=2 lon=3", "example.com.zone:6:17", "given twice")]
    [TestCase("$REGION r continents", "example.com.zone:6:11", "expected key=value")]
    [TestCase("$REGION", "example.com.zone:6:8", "missing region name")]
    [TestCase("$REGION r1", "example.com.zone:6:9", "already declared at example.com.zone:6:1")]
    [TestCase("$CHECK c smtp", "example.com.zone:6:10", "unknown check kind")]
    [TestCase("$CHECK c tcp path=/", "example.com.zone:6:14", "does not apply to tcp")]
    [TestCase("$CHECK c icmp port=1", "example.com.zone:6:15", "does not apply to icmp")]
    [TestCase("$CHECK c dns path=/", "example.com.zone:6:14", "does not apply to dns")]
    [TestCase("$CHECK c http insecure=true", "example.com.zone:6:15", "does not apply to http")]
    [TestCase("$CHECK c http colour=1", "example.com.zone:6:15", "unknown check key")]
    [TestCase("$CHECK c http port=0", "example.com.zone:6:20", "bad port")]
    [TestCase("$CHECK c http path=x", "example.com.zone:6:20", "must start with '/'")]
    [TestCase("$CHECK c http expect=99", "example.com.zone:6:22", "bad expect")]
    [TestCase("$CHECK c http expect=300-200", "example.com.zone:6:22", "bad expect")]
    [TestCase("$CHECK c http interval=50ms", "example.com.zone:6:24", "minimum of 100ms")]
    [TestCase("$CHECK c http interval=2x", "example.com.zone:6:24", "unknown unit")]
    [TestCase("$CHECK c http interval=1s timeout=1s", "example.com.zone:6:35", "shorter than interval")]
    [TestCase("$CHECK c http rise=0", "example.com.zone:6:20", "bad rise")]
    [TestCase("$CHECK c https insecure=yes", "example.com.zone:6:25", "true or false")]
    [TestCase("$CHECK c tcp quorum=most", "example.com.zone:6:21", "bad quorum")]
    [TestCase("$CHECK c dns rcode=WHAT", "example.com.zone:6:20", "bad rcode")]
    [TestCase("$CHECK c dns type=BOGUS", "example.com.zone:6:19", "unknown record type")]
    [TestCase("$CHECK web http", "example.com.zone:6:8", "already declared")]
    public void DirectiveErrors(string line, string where, string fragment)
    {
        // Two declarations come first (lines 6 and 7), so the line under test is line 8.
        var zone = WithHeader("$REGION r1 continents=EU\n$CHECK web http\n" + line + "\n");
        AssertError(zone, where.Replace(":6:", ":8:", StringComparison.Ordinal), fragment);
    }

    [TestCase("p POOL MX", "example.com.zone:9:8", "bad POOL type")]
    [TestCase("p POOL A policy=random", "example.com.zone:9:17", "unknown policy 'random'")]
    [TestCase("p POOL A fallback=geo2", "example.com.zone:9:19", "unknown fallback")]
    [TestCase("p POOL A check=nope", "example.com.zone:9:16", "unknown check 'nope'")]
    [TestCase("p POOL A max-answers=0", "example.com.zone:9:22", "bad max-answers")]
    [TestCase("p POOL A if-all-down=panic", "example.com.zone:9:22", "bad if-all-down")]
    [TestCase("p POOL A sticky=cookie", "example.com.zone:9:17", "only 'subnet'")]
    [TestCase("p POOL A color=1", "example.com.zone:9:10", "unknown POOL key")]
    [TestCase("p POOL", "example.com.zone:9:7", "missing POOL type")]
    public void PoolErrors(string line, string where, string fragment) =>
        AssertError(WithHeader(Regions + line + "\np MEMBER r1 192.0.2.1\n"), where, fragment);

    [TestCase("p MEMBER r9 192.0.2.2", "example.com.zone:11:10", "unknown region 'r9'")]
    [TestCase("p MEMBER r1 2001:db8::1", "example.com.zone:11:13", "not an IPv4 address")]
    [TestCase("p MEMBER r1 host", "example.com.zone:11:13", "not an IPv4 address")]
    [TestCase("p MEMBER r1 192.0.2.1", "example.com.zone:11:13", "already in the pool")]
    [TestCase("p MEMBER r1 192.0.2.2 weight=65536", "example.com.zone:11:30", "bad weight")]
    [TestCase("p MEMBER r1 192.0.2.2 weight=-1", "example.com.zone:11:30", "bad weight")]
    [TestCase("p MEMBER r1 192.0.2.2 priority=x", "example.com.zone:11:32", "bad priority")]
    [TestCase("p MEMBER r1 192.0.2.2 check=zz", "example.com.zone:11:29", "unknown check 'zz'")]
    [TestCase("p MEMBER r1 192.0.2.2 enabled=no", "example.com.zone:11:31", "true or false")]
    [TestCase("p MEMBER r1 192.0.2.2 rise=0", "example.com.zone:11:28", "bad rise")]
    [TestCase("p MEMBER r1 192.0.2.2 quorum=all", "example.com.zone:11:23", "unknown MEMBER key")]
    [TestCase("p MEMBER r1", "example.com.zone:11:12", "missing MEMBER target")]
    [TestCase("p MEMBER r1 192.0.2.2 interval=1s timeout=2s", "example.com.zone:11:1", "member check: timeout 2s must be shorter than interval 1s")]
    [TestCase("q MEMBER r1 192.0.2.2", "example.com.zone:11:3", "no POOL line before it")]
    public void MemberErrors(string line, string where, string fragment) =>
        AssertError(WithHeader(Regions + "p POOL A\np MEMBER r1 192.0.2.1\n" + line + "\n"), where, fragment);

    [Test]
    public void CnameAndAaaaPoolTargetMismatch()
    {
        var zone = WithHeader(Regions + "c POOL CNAME\nc MEMBER r1 192.0.2.1\nc MEMBER r1 2001:db8::1\nc MEMBER r1 ok\n" +
            "v6 POOL AAAA\nv6 MEMBER r1 192.0.2.1\nv6 MEMBER r1 ::1\n");
        AssertError(zone, "example.com.zone:10:13", "is an address, but the pool at c.example.com. is type CNAME");
        AssertError(zone, "example.com.zone:11:13", "is an address");
        AssertError(zone, "example.com.zone:14:14", "not an IPv6 address");
        Assert.That(zone.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), Is.EqualTo(3), Dump(zone));
    }

    [Test]
    public void PoolOwnerCarriesNoOtherDataAndOnePoolPerOwner()
    {
        var zone = WithHeader(Regions + "p POOL A\np MEMBER r1 192.0.2.1\np TXT \"no\"\np POOL A\nempty POOL A\n");
        AssertError(zone, "example.com.zone:11:1", "traffic-managed POOL name");
        AssertError(zone, "example.com.zone:12:3", "a second POOL");
        AssertError(zone, "example.com.zone:13:1", "has no MEMBER lines");
    }

    [Test]
    public void UseBeforeDeclarationIsReported()
    {
        var zone = WithHeader("p POOL A check=web\np MEMBER r1 192.0.2.1\n" + Regions);
        AssertError(zone, "example.com.zone:6:16", "unknown check 'web'");
        AssertError(zone, "example.com.zone:7:10", "unknown region 'r1'");
    }

    [Test]
    public void PoolOutsideZoneAndStickyWarning()
    {
        var zone = WithHeader(Regions + "p.other.net. POOL A\np.other.net. MEMBER r1 192.0.2.1\ns POOL A sticky=subnet\ns MEMBER r1 192.0.2.1\n");
        AssertError(zone, "example.com.zone:9:1", "outside the zone");
        AssertWarning(zone, "example.com.zone:11:17", "only affects policy=weighted");
    }
}
