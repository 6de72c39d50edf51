using GeoDns.Core.Health;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Traffic.TrafficFixtures;

namespace GeoDns.Core.Tests.Traffic;

/// <summary>
/// A pin to a drained region: drain is the emergency lever and wins. The pool answers as if
/// unpinned while the region is drained, and the pin is back in force once it is undrained.
/// </summary>
public sealed class PinAndDrainTests
{
    private static readonly IReadOnlyList<RegionDefinition> Regions = [Region("a"), Region("b")];

    private static PoolHarness TwoRegions(string policy = "failover") => new(
        Pool(policy, [Member("a", "192.0.2.1"), Member("b", "192.0.2.2")]), Regions, random: new ScriptedRandom(0));

    [Test]
    public void APinToADrainedRegionAnswersAsIfUnpinned()
    {
        var pool = TwoRegions();
        pool.Model.Slot.PinnedRegion = "b";
        Assert.That(pool.One("198.51.100.1"), Is.EqualTo("192.0.2.2"), "pinned to b");

        pool.Board.SetRegionDrained("b", true);
        var trace = new SelectionTrace();
        Assert.That(pool.Select("198.51.100.1", trace: trace).Targets, Is.EqualTo(new[] { "192.0.2.1" }), "b drained: the drained member never answers");
        Assert.That(trace.Steps, Has.Some.Contains("pin to region b ignored").And.Contains("drained"));

        pool.Board.SetRegionDrained("b", false);
        Assert.That(pool.One("198.51.100.1"), Is.EqualTo("192.0.2.2"), "undrained: the pin is in force again");
    }

    [Test]
    public void WithNothingUsableAPinToADrainedRegionFailsOpenLikeTheUnpinnedPool()
    {
        var pinned = TwoRegions();
        var unpinned = TwoRegions();
        foreach (var pool in new[] { pinned, unpinned })
        {
            pool.Board.SetRegionDrained("b", true);
            pool.SetDown("192.0.2.1");
        }

        pinned.Model.Slot.PinnedRegion = "b";

        // if-all-down=all over the whole pool, not over the drained pinned region alone.
        Assert.That(unpinned.Select("198.51.100.1").Targets, Is.EqualTo(new[] { "192.0.2.1", "192.0.2.2" }));
        Assert.That(pinned.Select("198.51.100.1").Targets, Is.EqualTo(unpinned.Select("198.51.100.1").Targets));
    }

    [Test]
    public void OverrideStateNamesEveryPinOverriddenByADrain()
    {
        var state = OverrideState.Empty
            .With(OverrideChange.Pin("www.gtm.example.com.", "b"))
            .With(OverrideChange.Pin("api.gtm.example.com.", "a"))
            .With(OverrideChange.DrainRegion("b", drained: true));

        Assert.That(state.PinsOverriddenByDrain, Is.EqualTo(new[] { ("www.gtm.example.com.", "b") }));
        Assert.That(state.Conflicts().Single(), Does.Contain("www.gtm.example.com.").And.Contains("region b is drained").And.Contains("drain wins"));
        Assert.That(state.With(OverrideChange.DrainRegion("b", drained: false)).Conflicts(), Is.Empty);
    }
}
