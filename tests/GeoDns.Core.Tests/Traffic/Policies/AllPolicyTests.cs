using static GeoDns.Core.Tests.Traffic.TrafficFixtures;

namespace GeoDns.Core.Tests.Traffic.Policies;

public class AllPolicyTests
{
    [Test]
    public void EveryHealthyMemberUpToMaxAnswersRotated()
    {
        var members = Enumerable.Range(1, 10).Select(i => Member("a", $"192.0.2.{i}")).ToList();
        var pool = new PoolHarness(Pool("all", members, maxAnswers: 8), [Region("a")], random: new ScriptedRandom(0, 3));
        pool.SetDown("192.0.2.2");

        var first = pool.Select("198.51.100.7");
        var second = pool.Select("198.51.100.7");

        Assert.That(first.Targets, Is.EqualTo(new[] { "192.0.2.1", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.7", "192.0.2.8", "192.0.2.9" }));
        Assert.That(second.Targets, Is.EqualTo(new[] { "192.0.2.5", "192.0.2.6", "192.0.2.7", "192.0.2.8", "192.0.2.9", "192.0.2.10", "192.0.2.1", "192.0.2.3" }));
        Assert.That(first.Scope, Is.Zero);
    }
}
