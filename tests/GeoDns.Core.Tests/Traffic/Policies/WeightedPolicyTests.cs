using GeoDns.Core.Traffic;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Traffic.TrafficFixtures;

namespace GeoDns.Core.Tests.Traffic.Policies;

public class WeightedPolicyTests
{
    private static readonly IReadOnlyList<RegionDefinition> Regions = [Region("a"), Region("b")];

    private static PoolDefinition ThreeToOne(bool sticky = false, int maxAnswers = 1) =>
        Pool("weighted", [Member("a", "192.0.2.10", weight: 3), Member("b", "192.0.2.11", weight: 1)], sticky: sticky, maxAnswers: maxAnswers);

    [TestCase(0, "192.0.2.10")]
    [TestCase(2, "192.0.2.10")]
    [TestCase(3, "192.0.2.11")]
    public void TheDrawWalksTheWeights(long draw, string expected)
    {
        var pool = new PoolHarness(ThreeToOne(), Regions, random: new ScriptedRandom(draw));

        Assert.That(pool.Select("198.51.100.7"), Is.EqualTo((new[] { expected }, 0)));
    }

    /// <summary>Five standard deviations of the share of <paramref name="draws"/> Bernoulli(<paramref name="p"/>) draws.</summary>
    internal static double FiveSigma(double p, int draws) => 5 * Math.Sqrt(p * (1 - p) / draws);

    [TestCase(42)]
    [TestCase(7)]
    public void SharesFollowTheWeightsOverManyDraws(int seed)
    {
        const int draws = 12_000;
        var pool = new PoolHarness(ThreeToOne(), Regions, random: new SeededRandom(seed));

        int first = Enumerable.Range(0, draws).Count(_ => pool.One("198.51.100.7") == "192.0.2.10");

        // 3:1 is p = 0.75 for the first member.
        Assert.That(first / (double)draws, Is.EqualTo(0.75).Within(FiveSigma(0.75, draws)));
    }

    [Test]
    public void EachOfThreeMembersGetsItsShare()
    {
        const int draws = 20_000;
        int[] weights = [5, 3, 2];
        var pool = new PoolHarness(
            Pool("weighted", [Member("a", "192.0.2.1", weight: 5), Member("a", "192.0.2.2", weight: 3), Member("b", "192.0.2.3", weight: 2)]),
            Regions, random: new SeededRandom(11));

        var counts = Enumerable.Range(0, draws).Select(_ => pool.One("198.51.100.7")).CountBy(t => t).ToDictionary();

        Assert.Multiple(() =>
        {
            for (int i = 0; i < weights.Length; i++)
            {
                double p = weights[i] / (double)weights.Sum();
                Assert.That(counts.GetValueOrDefault($"192.0.2.{i + 1}") / (double)draws, Is.EqualTo(p).Within(FiveSigma(p, draws)), $"member {i + 1}, weight {weights[i]}");
            }
        });
    }

    [Test]
    public void TheDefaultRandomSourceDrawsWithinItsBound()
    {
        // Not a distribution test (the default source cannot be seeded): every draw is in [0, max).
        foreach (long max in new long[] { 1, 2, 3, 4, 7, 65_535, 1L << 40 })
        {
            for (int i = 0; i < 1000; i++)
            {
                Assert.That(SharedRandomSource.Instance.Next(max), Is.InRange(0, max - 1), $"max {max}");
            }
        }
    }

    [Test]
    public void ZeroWeightNeverAnswersWhileOthersCan()
    {
        var pool = new PoolHarness(Pool("weighted", [Member("a", "192.0.2.10", weight: 0), Member("b", "192.0.2.11")]), Regions, random: new SeededRandom(3));

        Assert.That(Enumerable.Range(0, 200).Select(_ => pool.One("198.51.100.7")).Distinct(), Is.EqualTo(new[] { "192.0.2.11" }));
        pool.SetDown("192.0.2.11");
        Assert.That(pool.One("198.51.100.7"), Is.EqualTo("192.0.2.10"));
    }

    [Test]
    public void SeveralAnswersAreDistinct()
    {
        var pool = new PoolHarness(ThreeToOne(maxAnswers: 2), Regions, random: new SeededRandom(5));

        for (int i = 0; i < 50; i++)
        {
            Assert.That(pool.Select("198.51.100.7").Targets, Is.EquivalentTo(new[] { "192.0.2.10", "192.0.2.11" }));
        }
    }

    [Test]
    public void StickySubnetKeepsTheMemberWhateverTheRandomSource()
    {
        var pool = new PoolHarness(ThreeToOne(sticky: true), Regions, random: new SeededRandom(9));

        var answers = Enumerable.Range(0, 100).Select(i => pool.Select($"198.51.100.{i}")).ToList();

        Assert.That(answers.Select(a => a.Targets.Single()).Distinct().Count(), Is.EqualTo(1), "one /24, one member");
        Assert.That(answers.Select(a => a.Scope).Distinct(), Is.EqualTo(new[] { 24 }));
    }

    [Test]
    public void StickySubnetsSpreadByWeight()
    {
        var pool = new PoolHarness(ThreeToOne(sticky: true), Regions);

        // Deterministic (a hash of each /24), spread like 8,000 draws of p = 0.75.
        int first = Enumerable.Range(0, 8000).Count(i => pool.One($"10.{i / 256}.{i % 256}.1") == "192.0.2.10");

        Assert.That(first / 8000.0, Is.EqualTo(0.75).Within(FiveSigma(0.75, 8000)));
    }

    [Test]
    public void StickySubnetsOnAHealthyMemberStayWhenAnotherFails()
    {
        var pool = new PoolHarness(
            Pool("weighted", [Member("a", "192.0.2.1"), Member("a", "192.0.2.2"), Member("b", "192.0.2.3")], sticky: true), Regions);
        var subnets = Enumerable.Range(0, 250).Select(i => $"10.1.{i}.9").ToList();
        var before = subnets.ToDictionary(s => s, s => pool.One(s));

        pool.SetDown("192.0.2.3");
        var after = subnets.ToDictionary(s => s, s => pool.One(s));

        Assert.That(subnets.Where(s => before[s] != "192.0.2.3").All(s => after[s] == before[s]), Is.True);
        Assert.That(after.Values, Has.None.EqualTo("192.0.2.3"));
        pool.SetDown("192.0.2.3", down: false);
        Assert.That(subnets.All(s => pool.One(s) == before[s]), Is.True, "health back, same answers");
    }

    [Test]
    public void StickyUsesTheShorterEcsPrefix()
    {
        var pool = new PoolHarness(ThreeToOne(sticky: true), Regions);

        Assert.That(pool.Select("10.20.0.0", prefix: 16).Scope, Is.EqualTo(16));
        Assert.That(pool.Select("2001:db8:1:2::", prefix: 64).Scope, Is.EqualTo(56));
    }
}
