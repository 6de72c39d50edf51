using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Traffic.TrafficFixtures;

namespace GeoDns.Core.Tests.Traffic;

public class PoolSelectorTests
{
    private static readonly IReadOnlyList<RegionDefinition> Regions = [Region("a"), Region("b")];

    private static PoolHarness ThreeMembers(string policy = "failover", string ifAllDown = "all", int maxAnswers = 1) => new(
        Pool(policy, [Member("a", "192.0.2.1", enabled: false), Member("a", "192.0.2.2"), Member("b", "192.0.2.3")],
            ifAllDown: ifAllDown, maxAnswers: maxAnswers),
        Regions,
        random: new ScriptedRandom(0));

    [Test]
    public void DisabledMembersNeverAnswer()
    {
        var pool = ThreeMembers("all", maxAnswers: 8);

        Assert.That(pool.Select("198.51.100.1").Targets, Is.EqualTo(new[] { "192.0.2.2", "192.0.2.3" }));
        pool.SetDown("192.0.2.2");
        pool.SetDown("192.0.2.3");
        Assert.That(pool.Select("198.51.100.1").Targets, Is.EqualTo(new[] { "192.0.2.2", "192.0.2.3" }), "fail open, still not the disabled one");
    }

    [Test]
    public void IfAllDownAllFailsOpenWithEveryEnabledMember()
    {
        var pool = ThreeMembers();
        pool.SetDown("192.0.2.2");
        pool.SetDown("192.0.2.3");

        Assert.That(pool.Select("198.51.100.1"), Is.EqualTo((new[] { "192.0.2.2", "192.0.2.3" }, 0)));
    }

    [Test]
    public void IfAllDownNoneAnswersNothing()
    {
        var pool = ThreeMembers(ifAllDown: "none");
        pool.SetDown("192.0.2.2");
        pool.SetDown("192.0.2.3");

        Assert.That(pool.Select("198.51.100.1").Targets, Is.Empty);
    }

    [Test]
    public void IfAllDownPolicyRunsOverTheDownMembers()
    {
        var pool = ThreeMembers("failover", ifAllDown: "weighted");
        pool.SetDown("192.0.2.2");
        pool.SetDown("192.0.2.3");

        Assert.That(pool.Select("198.51.100.1").Targets, Is.EqualTo(new[] { "192.0.2.2" }));
    }

    [Test]
    public void APinAnswersOnlyFromItsRegion()
    {
        var pool = ThreeMembers();
        pool.Model.Slot.PinnedRegion = "b";

        Assert.That(pool.One("198.51.100.1"), Is.EqualTo("192.0.2.3"));
        pool.SetDown("192.0.2.3");
        Assert.That(pool.One("198.51.100.1"), Is.EqualTo("192.0.2.3"), "pinned and down: fail open inside the pin");
        pool.Model.Slot.PinnedRegion = null;
        Assert.That(pool.One("198.51.100.1"), Is.EqualTo("192.0.2.2"));
    }

    [Test]
    public void APinToARegionWithoutMembersIsIgnored()
    {
        var pool = ThreeMembers();
        pool.Model.Slot.PinnedRegion = "elsewhere";

        var trace = new SelectionTrace();
        Assert.That(pool.Select("198.51.100.1", trace: trace).Targets, Is.EqualTo(new[] { "192.0.2.2" }));
        Assert.That(trace.Steps, Has.Some.Contains("ignored"));
    }

    [Test]
    public void HealthVerdictsSurviveARebuild()
    {
        var pool = ThreeMembers();
        pool.SetDown("192.0.2.2");

        var rebuilt = pool.Compiler.BuildModel(
            Pool("failover", [Member("a", "192.0.2.1", enabled: false), Member("a", "192.0.2.2"), Member("b", "192.0.2.3")]), Regions);

        Assert.That(rebuilt.Members[1].Slot.Usable, Is.False);
        Assert.That(rebuilt.Members[1].Slot, Is.SameAs(pool.Model.Members[1].Slot));
    }

    [TestCase("failover")]
    [TestCase("weighted")]
    [TestCase("geo")]
    [TestCase("nearest")]
    [TestCase("all")]
    public void SelectionAllocatesNothing(string policy)
    {
        var locator = new TableLocator().Add("81.2.69.160/27", country: "GB", continent: "EU", lat: 51.5, lon: -0.09);
        var pool = new PoolHarness(
            Pool(policy, [Member("us-east", "192.0.2.10", weight: 3), Member("us-east", "192.0.2.11"), Member("eu-west", "198.51.100.10")],
                fallback: "nearest", maxAnswers: 2, sticky: policy == "weighted"),
            DesignRegions(), locator, new SeededRandom(1));
        var client = Address("81.2.69.170");
        var model = pool.Model;

        static void Run(PoolModel model, ClientAddress client, IClientLocator locator, IRandomSource random, int times)
        {
            Span<int> chosen = stackalloc int[8];
            for (int i = 0; i < times; i++)
            {
                PoolSelector.Select(model, client, 32, locator, random, chosen, out _);
            }
        }

        Run(model, client, locator, pool.Random, 100);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(model, client, locator, pool.Random, 1000);

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
