using GeoDns.Core.Traffic;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Traffic.TrafficFixtures;

namespace GeoDns.Core.Tests.Traffic.Policies;

public class GeoPolicyTests
{
    private static TableLocator Locator() => new TableLocator()
        .Add("81.2.69.160/27", country: "GB", continent: "EU", lat: 51.5, lon: -0.09)
        .Add("89.160.20.128/25", country: "SE", continent: "EU", lat: 58.4, lon: 15.6)
        .Add("216.160.83.56/29", country: "US", continent: "NA", subdivision: "US-WA", lat: 47.2, lon: -122.3)
        .Add("175.16.199.0/24", country: "CN", continent: "AS", lat: 43.88, lon: 125.32)
        .Add("2001:218::/32", country: "JP", continent: "AS", lat: 35.68, lon: 139.75)
        .Add("41.0.0.0/11", country: "ZA", continent: "AF", asn: 64500, lat: -26.2, lon: 28.0)
        .Add("10.0.0.0/8", country: "US", continent: "NA", subdivision: "US-CA", lat: 37.4, lon: -122.1);

    private static PoolHarness Design(IReadOnlyList<RegionDefinition>? regions = null, string? fallback = "nearest") =>
        new(Pool("geo", [Member("us-east", "192.0.2.10", weight: 3), Member("us-east", "192.0.2.11", weight: 1), Member("eu-west", "198.51.100.10")],
            fallback: fallback), regions ?? DesignRegions(), Locator(), new ScriptedRandom(0));

    [TestCase("81.2.69.170", "198.51.100.10", 27, TestName = "GB by country")]
    [TestCase("89.160.20.200", "198.51.100.10", 25, TestName = "SE by continent EU")]
    [TestCase("216.160.83.57", "192.0.2.10", 29, TestName = "US by country")]
    [TestCase("203.0.113.5", "198.51.100.10", 24, TestName = "CIDR override beats location")]
    [TestCase("175.16.199.1", "198.51.100.10", 24, TestName = "CN matches no region: nearest is eu-west")]
    [TestCase("2001:218::1", "198.51.100.10", 32, TestName = "JP over IPv6: nearest")]
    public void TheDesignExampleRoutesByTheMostSpecificRule(string client, string expected, int scope)
    {
        Assert.That(Design().Select(client), Is.EqualTo((new[] { expected }, scope)));
    }

    [Test]
    public void CidrBeatsCountryEvenForAnotherwiseLocatedClient()
    {
        var regions = new[] { Region("us-east", countries: "US"), Region("eu-west", cidrs: "216.160.83.0/24") };

        Assert.That(Design(regions).Select("216.160.83.57"), Is.EqualTo((new[] { "198.51.100.10" }, 24)));
    }

    [Test]
    public void LongestCidrWins()
    {
        var regions = new[] { Region("us-east", cidrs: "203.0.113.0/24"), Region("eu-west", cidrs: "203.0.0.0/16,203.0.113.128/25") };
        var pool = Design(regions);

        Assert.That(pool.Select("203.0.113.200"), Is.EqualTo((new[] { "198.51.100.10" }, 25)));
        Assert.That(pool.Select("203.0.113.20"), Is.EqualTo((new[] { "192.0.2.10" }, 24)));
        Assert.That(pool.Select("203.0.7.1"), Is.EqualTo((new[] { "198.51.100.10" }, 16)));
    }

    [Test]
    public void AsnBeatsSubdivisionBeatsCountryBeatsContinent()
    {
        var regions = new[] { Region("us-east", continents: "AF", countries: "ZA", asns: "64501"), Region("eu-west", asns: "64500") };
        Assert.That(Design(regions).One("41.1.1.1"), Is.EqualTo("198.51.100.10"), "ASN");

        regions = [Region("us-east", countries: "US"), Region("eu-west", countries: "US-CA")];
        Assert.That(Design(regions).One("10.1.1.1"), Is.EqualTo("198.51.100.10"), "subdivision");
        Assert.That(Design(regions).One("216.160.83.57"), Is.EqualTo("192.0.2.10"), "US-WA falls to the country");

        regions = [Region("us-east", continents: "EU"), Region("eu-west", countries: "SE")];
        Assert.That(Design(regions).One("89.160.20.200"), Is.EqualTo("198.51.100.10"), "country");
    }

    [Test]
    public void AMatchedRegionWithNoHealthyMemberFallsToTheNextRule()
    {
        var regions = new[] { Region("us-east", continents: "EU", lat: 38.9, lon: -77.4), Region("eu-west", countries: "GB", lat: 53.3, lon: -6.2) };
        var pool = Design(regions);
        pool.SetDown("198.51.100.10");

        var trace = new SelectionTrace();
        Assert.That(pool.Select("81.2.69.170", trace: trace).Targets, Is.EqualTo(new[] { "192.0.2.10" }));
        Assert.That(trace.Region, Is.EqualTo("us-east"));
        Assert.That(trace.Steps, Has.Some.Contains("eu-west matches but has no usable member"));
    }

    [Test]
    public void UnknownClientWithANearestFallbackGetsMembersInFailoverOrder()
    {
        var pool = new PoolHarness(
            Pool("geo", [Member("eu-west", "198.51.100.10", priority: 2), Member("us-east", "192.0.2.10", priority: 1)], fallback: "nearest"),
            DesignRegions(), Locator());

        Assert.That(pool.Select("100.64.1.1"), Is.EqualTo((new[] { "192.0.2.10" }, 24)));
    }

    [Test]
    public void NoDatabaseStillRoutesCidrsAndFallsBackWithoutScope()
    {
        var pool = new PoolHarness(Pool("geo", [Member("us-east", "192.0.2.10"), Member("eu-west", "198.51.100.10")], fallback: "failover"), DesignRegions());

        Assert.That(pool.Select("203.0.113.9"), Is.EqualTo((new[] { "198.51.100.10" }, 24)));
        Assert.That(pool.Select("81.2.69.170"), Is.EqualTo((new[] { "192.0.2.10" }, 1)), "only the bit telling it from 203.0.113.0/24");
    }

    [Test]
    public void ScopeNeverCoversANearbyCidrRule()
    {
        var regions = new[] { Region("us-east", countries: "GB"), Region("eu-west", cidrs: "81.2.69.128/26") };
        var pool = Design(regions);

        // GB's network is 81.2.69.160/27: inside the CIDR, so the CIDR decides.
        Assert.That(pool.Select("81.2.69.170"), Is.EqualTo((new[] { "198.51.100.10" }, 26)));

        regions = [Region("us-east", countries: "GB"), Region("eu-west", cidrs: "81.2.69.160/28")];
        pool = Design(regions);

        // 81.2.69.180 is in GB's /27 but outside the /28: the scope must exclude the /28.
        Assert.That(pool.Select("81.2.69.180"), Is.EqualTo((new[] { "192.0.2.10" }, 28)));
    }

    [Test]
    public void ScopeIsCappedAtTheEcsSourcePrefix()
    {
        Assert.That(Design().Select("81.2.69.0", prefix: 24).Scope, Is.EqualTo(24));
        Assert.That(Design().Select("203.0.113.0", prefix: 24).Scope, Is.EqualTo(24));
    }

    [Test]
    public void EcsPrefixZeroMeansUnknownLocation()
    {
        var pool = Design();

        Assert.That(pool.Select("0.0.0.0", prefix: 0), Is.EqualTo((new[] { "192.0.2.10" }, 0)));
    }

    [Test]
    public void LocatesAtMostOncePerQueryAndNotAtAllForCidrHits()
    {
        var locator = Locator();
        var pool = new PoolHarness(Pool("geo", [Member("us-east", "192.0.2.10"), Member("eu-west", "198.51.100.10")], fallback: "nearest"), DesignRegions(), locator);

        pool.Select("203.0.113.9");
        Assert.That(locator.Calls, Is.Zero);
        pool.Select("175.16.199.1");
        Assert.That(locator.Calls, Is.EqualTo(1));
    }
}
