namespace GeoDns.Core.Traffic;

/// <summary>
/// One way of choosing members for a query (failover, weighted, geo, nearest, all). Runs on
/// the query path: no allocation, no lock, no I/O. Stateless: one instance serves every pool.
/// </summary>
public interface IRoutingPolicy
{
    /// <summary>The name zone files use (<c>policy=NAME</c>).</summary>
    string Name { get; }

    /// <summary>Whether the policy needs the client's location (geo data) to decide.</summary>
    bool UsesLocation { get; }

    /// <summary>
    /// Writes up to <c>chosen.Length</c> member indices, taken from
    /// <see cref="SelectionContext.Candidates"/>, into <paramref name="chosen"/> and returns
    /// how many. A decision that depended on the client reports it through
    /// <see cref="SelectionContext.DependsOn"/>.
    /// </summary>
    int Select(ref SelectionContext context, Span<int> chosen);
}
