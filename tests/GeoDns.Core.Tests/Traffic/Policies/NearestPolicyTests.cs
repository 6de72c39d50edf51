using GeoDns.Core.Traffic;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Traffic.TrafficFixtures;

namespace GeoDns.Core.Tests.Traffic.Policies;

public class NearestPolicyTests
{
    private static readonly IReadOnlyList<RegionDefinition> Regions =
    [
        Region("us-east", lat: 38.9, lon: -77.4),
        Region("eu-west", lat: 53.3, lon: -6.2),
        Region("ap-northeast", lat: 35.7, lon: 139.7),
        Region("nowhere"),
    ];

    private static PoolHarness Harness() => new(
        Pool("nearest", [Member("nowhere", "192.0.2.99"), Member("us-east", "192.0.2.10"), Member("eu-west", "198.51.100.10"), Member("ap-northeast", "203.0.113.10")]),
        Regions,
        new TableLocator()
            .Add("216.160.83.56/29", country: "US", lat: 47.25, lon: -122.31)
            .Add("89.160.20.128/25", country: "SE", lat: 58.4, lon: 15.6)
            .Add("175.16.199.0/24", country: "CN", lat: 43.88, lon: 125.32)
            .Add("192.168.0.0/16", country: "XX"));

    [TestCase("216.160.83.57", "192.0.2.10")]
    [TestCase("89.160.20.200", "198.51.100.10")]
    [TestCase("175.16.199.1", "203.0.113.10")]
    public void PicksTheClosestRegion(string client, string expected)
    {
        Assert.That(Harness().One(client), Is.EqualTo(expected));
    }

    [Test]
    public void ScopeIsTheLocatedNetwork()
    {
        Assert.That(Harness().Select("89.160.20.200").Scope, Is.EqualTo(25));
    }

    [Test]
    public void SkipsARegionWithNoHealthyMember()
    {
        var pool = Harness();
        pool.SetDown("203.0.113.10");

        Assert.That(pool.One("175.16.199.1"), Is.EqualTo("198.51.100.10"), "Europe is closer to Changchun than Virginia");
    }

    [TestCase("100.64.0.1", TestName = "not in the database")]
    [TestCase("192.168.1.1", TestName = "found without coordinates")]
    public void NoCoordinatesMeansFailoverOrder(string client)
    {
        Assert.That(Harness().One(client), Is.EqualTo("192.0.2.99"));
    }

    [Test]
    public void HaversineDistances()
    {
        Assert.That(GeoMath.DistanceKm(51.5074, -0.1278, 48.8566, 2.3522), Is.EqualTo(343.5).Within(1), "London-Paris");
        Assert.That(GeoMath.DistanceKm(40.6413, -73.7781, 33.9416, -118.4085), Is.EqualTo(3974).Within(10), "JFK-LAX");
        Assert.That(GeoMath.DistanceKm(0, 0, 0, 180), Is.EqualTo(Math.PI * GeoMath.EarthRadiusKm).Within(0.001));
    }
}
