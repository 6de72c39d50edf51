using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Traffic;

/// <summary>What a pool does when no member it may answer with is healthy.</summary>
public enum AllDownMode
{
    /// <summary>Fail open: answer with every member (up to the fail-open limit), <see cref="PoolModel.IfAllDownPolicy"/> being failover.</summary>
    All,

    /// <summary>Answer NODATA.</summary>
    None,

    /// <summary>Run <see cref="PoolModel.IfAllDownPolicy"/> over the unhealthy members.</summary>
    Policy,
}

/// <summary>
/// A traffic-managed name compiled for the query path: immutable, arrays indexed by member
/// and region, health read through the members' <see cref="MemberSlot"/>s.
/// </summary>
public sealed class PoolModel
{
    /// <summary>Members a pool may have (the zone syntax enforces it): selection works in stack buffers of this size.</summary>
    public const int MaxMembers = PoolDefinition.MaxMembers;

    /// <summary>The answer count of <c>if-all-down=all</c> when max-answers is smaller.</summary>
    public const int FailOpenAnswers = 8;

    public required DnsName Owner { get; init; }

    /// <summary>The owner as text, the pool's key in the <see cref="HealthBoard"/>.</summary>
    public required string Name { get; init; }

    public required ushort Type { get; init; }

    public required uint Ttl { get; init; }

    public required MemberModel[] Members { get; init; }

    public required RegionModel[] Regions { get; init; }

    /// <summary>Member indices by priority (lowest first), then file order.</summary>
    public required int[] FailoverOrder { get; init; }

    public required RegionMatcher Matcher { get; init; }

    public required IRoutingPolicy Policy { get; init; }

    /// <summary>Used by geo when no region matches the client.</summary>
    public required IRoutingPolicy Fallback { get; init; }

    public required AllDownMode IfAllDown { get; init; }

    public IRoutingPolicy? IfAllDownPolicy { get; init; }

    public required int MaxAnswers { get; init; }

    public required bool StickySubnet { get; init; }

    /// <summary>What the policy prepared from its own POOL keys (<see cref="IRoutingPolicy.Prepare"/>).</summary>
    public object? PolicyState { get; init; }

    public required PoolSlot Slot { get; init; }

    /// <summary>The most records one answer can hold (max-answers, or the fail-open count).</summary>
    public int Capacity => Type == RecordType.CNAME ? 1
        : Math.Min(Members.Length, IfAllDown == AllDownMode.All ? Math.Max(MaxAnswers, FailOpenAnswers) : MaxAnswers);
}

/// <summary>One member of a compiled pool.</summary>
public sealed class MemberModel
{
    public required int Index { get; init; }

    /// <summary>The address or target as written in the zone file.</summary>
    public required string Target { get; init; }

    public required byte[] RData { get; init; }

    /// <summary>Index into <see cref="PoolModel.Regions"/>.</summary>
    public required int Region { get; init; }

    public required string RegionName { get; init; }

    public required int Weight { get; init; }

    public int? Priority { get; init; }

    /// <summary>False: drained in the zone file, never answers.</summary>
    public required bool Enabled { get; init; }

    public required MemberSlot Slot { get; init; }

    /// <summary>Stable per-member hash input for sticky (rendezvous) selection.</summary>
    public required ulong Seed { get; init; }
}

/// <summary>A region as one pool sees it: its matching rules and that pool's members in it.</summary>
public sealed class RegionModel
{
    public required int Index { get; init; }

    public required string Name { get; init; }

    public required RegionDefinition Definition { get; init; }

    /// <summary>Indices of this pool's members in the region, in file order.</summary>
    public required int[] Members { get; init; }

    public bool HasCoordinates => Definition.Latitude.HasValue && Definition.Longitude.HasValue;
}
