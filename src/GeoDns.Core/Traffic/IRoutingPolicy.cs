using GeoDns.Core.Settings;

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

    /// <summary>Whether a pool may name it as <c>fallback=</c> (geo cannot fall back to itself).</summary>
    bool CanBeFallback => true;

    /// <summary>Whether it chooses among members by their <c>weight=</c> (through <see cref="WeightedChoice"/>).</summary>
    bool UsesWeights => false;

    /// <summary>The keys this policy adds to <c>POOL</c> lines (validated by the zone parser).</summary>
    SettingsSchema Settings => SettingsSchema.Empty;

    /// <summary>
    /// Turns a pool's values for <see cref="Settings"/> into what <see cref="Select"/> reads back
    /// from <see cref="PoolModel.PolicyState"/>: read once per load, never per query.
    /// </summary>
    object? Prepare(SettingValues settings) => null;

    /// <summary>
    /// Writes up to <c>chosen.Length</c> member indices, taken from
    /// <see cref="SelectionContext.Candidates"/>, into <paramref name="chosen"/> and returns
    /// how many. A decision that depended on the client reports it through
    /// <see cref="SelectionContext.DependsOn"/>.
    /// </summary>
    int Select(ref SelectionContext context, Span<int> chosen);
}
