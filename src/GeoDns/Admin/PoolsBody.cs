using GeoDns.Health;

namespace GeoDns.Admin;

/// <summary><c>GET /api/v1/pools</c>: the shared state, the overrides and every pool's members.</summary>
internal sealed record PoolsBody(SharedStateReport SharedState, OverridesBody Overrides, IReadOnlyList<PoolStatus> Pools);

/// <summary>One pool of <see cref="PoolsBody"/>.</summary>
internal sealed record PoolStatus(string Name, string? PinnedRegion, IReadOnlyList<MemberStatus> Members);

/// <summary>One member of a pool: whether it serves, and why.</summary>
/// <param name="Override"><c>up</c>, <c>down</c> or <c>auto</c>.</param>
internal sealed record MemberStatus(
    string Member,
    string Region,
    bool Usable,
    bool RegionDrained,
    string Override,
    string Local,
    DateTimeOffset? LocalSince,
    string? LocalReason,
    string Shared,
    DateTimeOffset? SharedSince,
    IReadOnlyList<VoteEntry> Votes,
    IReadOnlyList<ProbeEntry> Probes,
    string? LastError,
    DateTimeOffset? LastErrorAt);

/// <summary>An instance's vote on a member.</summary>
internal sealed record VoteEntry(string Instance, string Status, DateTimeOffset At);

/// <summary>A probe result.</summary>
internal sealed record ProbeEntry(DateTimeOffset At, double Ms, bool Ok);
