using GeoDns.Core.Tests.Traffic;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones.Parsing;
using static GeoDns.Core.Tests.Traffic.TrafficFixtures;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

/// <summary>
/// weight=0 on every member of a pool whose policy picks by weight: the weights are ignored
/// (WeightedChoice draws evenly when they sum to 0), so the pool answers with every member
/// equally. Loaded, with a warning saying so.
/// </summary>
public sealed class ZeroWeightPoolTests
{
    private const string Regions = "$REGION r1 continents=EU lat=1 lon=1\n$REGION r2 continents=NA lat=2 lon=2\n";

    [TestCase("weighted")]
    [TestCase("geo")]
    [TestCase("nearest")]
    public void AllZeroWeightsInAWeightedPolicyAreAWarning(string policy)
    {
        var zone = WithHeader(Regions + $"p POOL A policy={policy}\np MEMBER r1 192.0.2.1 weight=0\np MEMBER r1 192.0.2.2 weight=0\n");

        AssertNoErrors(zone);
        AssertWarning(zone, "example.com.zone:8:1", "every member of the pool at p.example.com. has weight=0");
        AssertWarning(zone, "example.com.zone:8:1", "equal chances");
        Assert.That(zone.Diagnostics, Has.Count.EqualTo(1), Dump(zone));
    }

    [Test]
    public void AFallbackThatPicksByWeightCountsToo()
    {
        var zone = WithHeader(Regions + "p POOL A policy=failover if-all-down=weighted\np MEMBER r1 192.0.2.1 weight=0\n");

        AssertWarning(zone, "example.com.zone:8:1", "if-all-down=weighted");
    }

    [TestCase("failover")]
    [TestCase("all")]
    public void PoliciesThatIgnoreWeightsGiveNoWarning(string policy)
    {
        var zone = WithHeader(Regions + $"p POOL A policy={policy}\np MEMBER r1 192.0.2.1 weight=0\np MEMBER r1 192.0.2.2 weight=0\n");

        AssertClean(zone);
    }

    [Test]
    public void OneWeightedMemberIsEnoughForNoWarning()
    {
        var zone = WithHeader(Regions + "p POOL A policy=weighted\np MEMBER r1 192.0.2.1 weight=0\np MEMBER r1 192.0.2.2\n");

        AssertClean(zone);
    }

    /// <summary>What the warning says: with every weight 0, members are drawn with equal chances.</summary>
    [Test]
    public void AllZeroWeightsAnswerWithEveryMemberEqually()
    {
        var pool = new PoolHarness(Pool("weighted", [Member("a", "192.0.2.1", weight: 0), Member("a", "192.0.2.2", weight: 0)]),
            [Region("a")], random: new SeededRandom(7));

        int first = Enumerable.Range(0, 2000).Count(_ => pool.One("198.51.100.7") == "192.0.2.1");

        // p = 0.5; sigma = sqrt(0.25 / 2000) = 0.011; five sigma.
        Assert.That(first / 2000.0, Is.EqualTo(0.5).Within(0.056));
    }
}
