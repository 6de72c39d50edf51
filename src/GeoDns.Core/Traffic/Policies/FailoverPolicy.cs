using GeoDns.Core.Traffic;

namespace GeoDns.Core.Traffic.Policies;

/// <summary><c>failover</c>: the first healthy members by priority (lowest first), else file order.</summary>
public sealed class FailoverPolicy : IRoutingPolicy
{
    public static readonly FailoverPolicy Instance = new();

    public string Name => "failover";

    public bool UsesLocation => false;

    public int Select(ref SelectionContext context, Span<int> chosen)
    {
        int count = 0;
        foreach (int member in context.Pool.FailoverOrder)
        {
            if (count == chosen.Length)
            {
                break;
            }

            if (context.IsCandidate[member])
            {
                chosen[count++] = member;
            }
        }

        context.Trace?.Add($"failover order: first {count} usable member(s) by priority, then file order");
        return count;
    }
}
