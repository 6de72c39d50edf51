using GeoDns.Core.Traffic;

namespace GeoDns.Core.Traffic.Policies;

/// <summary><c>all</c>: every healthy member up to max-answers, rotated per query to spread load.</summary>
public sealed class AllPolicy : IRoutingPolicy
{
    public static readonly AllPolicy Instance = new();

    public string Name => "all";

    public bool UsesLocation => false;

    public int Select(ref SelectionContext context, Span<int> chosen)
    {
        var candidates = context.Candidates;
        if (candidates.IsEmpty)
        {
            return 0;
        }

        int count = Math.Min(chosen.Length, candidates.Length);
        int start = (int)context.Random.Next(candidates.Length);
        for (int i = 0; i < count; i++)
        {
            chosen[i] = candidates[(start + i) % candidates.Length];
        }

        context.Trace?.Add($"all: {count} of {candidates.Length} usable member(s), starting at a random one");
        return count;
    }
}
