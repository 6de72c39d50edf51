using GeoDns.Core.Traffic;

namespace GeoDns.Core.Traffic.Policies;

/// <summary><c>weighted</c>: random by weight per query, or sticky per client subnet.</summary>
public sealed class WeightedPolicy : IRoutingPolicy
{
    public static readonly WeightedPolicy Instance = new();

    public string Name => "weighted";

    public bool UsesLocation => false;

    public bool UsesWeights => true;

    public int Select(ref SelectionContext context, Span<int> chosen) =>
        WeightedChoice.Pick(ref context, context.Candidates, chosen);
}
