using GeoDns.Core.Zones;

using static GeoDns.Core.Tests.Traffic.TrafficFixtures;

namespace GeoDns.Core.Tests.Traffic.Policies;

public class FailoverPolicyTests
{
    private static readonly IReadOnlyList<RegionDefinition> Regions = [Region("a"), Region("b")];

    [Test]
    public void AnswersTheFirstMemberInFileOrder()
    {
        var pool = new PoolHarness(Pool("failover", [Member("a", "192.0.2.1"), Member("b", "192.0.2.2")]), Regions);

        Assert.That(pool.Select("198.51.100.7"), Is.EqualTo((new[] { "192.0.2.1" }, 0)));
    }

    [Test]
    public void PriorityOrdersBeforeFileOrder()
    {
        var pool = new PoolHarness(Pool("failover", [Member("a", "192.0.2.1", priority: 20), Member("b", "192.0.2.2", priority: 10)]), Regions);

        Assert.That(pool.One("198.51.100.7"), Is.EqualTo("192.0.2.2"));
    }

    [Test]
    public void SkipsDownMembersAndComesBack()
    {
        var pool = new PoolHarness(Pool("failover", [Member("a", "192.0.2.1"), Member("b", "192.0.2.2"), Member("b", "192.0.2.3")]), Regions);

        pool.SetDown("192.0.2.1");
        Assert.That(pool.One("198.51.100.7"), Is.EqualTo("192.0.2.2"));
        pool.SetDown("192.0.2.2");
        Assert.That(pool.One("198.51.100.7"), Is.EqualTo("192.0.2.3"));
        pool.SetDown("192.0.2.1", down: false);
        Assert.That(pool.One("198.51.100.7"), Is.EqualTo("192.0.2.1"));
    }

    [Test]
    public void MaxAnswersHandsOutTheFirstUsableInOrder()
    {
        var pool = new PoolHarness(Pool("failover", [Member("a", "192.0.2.1"), Member("a", "192.0.2.2"), Member("b", "192.0.2.3")], maxAnswers: 2), Regions);
        pool.SetDown("192.0.2.2");

        Assert.That(pool.Select("198.51.100.7").Targets, Is.EqualTo(new[] { "192.0.2.1", "192.0.2.3" }));
    }
}
