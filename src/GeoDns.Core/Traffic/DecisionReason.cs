namespace GeoDns.Core.Traffic;

/// <summary>
/// Why a pool answered the way it did, as one word for counters. When several apply, the
/// first in this order wins: <see cref="AllDown"/>, <see cref="Pin"/>, <see cref="Override"/>,
/// then what the policy reported.
/// </summary>
public enum DecisionReason : byte
{
    /// <summary>The pool's policy chose among its usable members without locating the client (failover, weighted, all).</summary>
    Policy,

    /// <summary>The client's location (or a CIDR rule) picked the region: geo matched a region, nearest found the closest.</summary>
    GeoMatch,

    /// <summary>The location decided nothing: geo ran its fallback policy, nearest fell back to failover order.</summary>
    Fallback,

    /// <summary>No member the pool may answer with was usable: <c>if-all-down</c> decided.</summary>
    AllDown,

    /// <summary>An operator override (a member forced up or down, a drained region) shaped the candidates.</summary>
    Override,

    /// <summary>An operator pin kept the answer in one region.</summary>
    Pin,
}

/// <summary>The words counters use for each <see cref="DecisionReason"/>.</summary>
public static class DecisionReasons
{
    private static readonly string[] Names = ["policy", "geo_match", "fallback", "all_down", "override", "pin"];

    public static IReadOnlyList<string> All => Names;

    public static string Name(DecisionReason reason) => (uint)reason < (uint)Names.Length ? Names[(int)reason] : "policy";
}
