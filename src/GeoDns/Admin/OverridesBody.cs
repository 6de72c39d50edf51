namespace GeoDns.Admin;

/// <summary><c>GET /api/v1/overrides</c>, and the overrides in other bodies and feed events.</summary>
/// <param name="Conflicts">Pins to a drained region: kept, but without effect while the drain lasts (drain wins).</param>
internal sealed record OverridesBody(
    IReadOnlyCollection<string> DrainedRegions,
    IReadOnlyList<MemberOverrideEntry> Members,
    IReadOnlyList<PinEntry> Pins,
    IReadOnlyList<string> Conflicts);

/// <summary>A member forced up or down.</summary>
/// <param name="State"><c>up</c> or <c>down</c>.</param>
internal sealed record MemberOverrideEntry(string Pool, string Member, string State);

/// <summary>A pool pinned to a region.</summary>
internal sealed record PinEntry(string Pool, string Region);
