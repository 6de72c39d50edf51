namespace GeoDns.Admin;

/// <summary><c>GET /api/v1/transitions</c>.</summary>
internal sealed record TransitionsBody(int Capacity, IReadOnlyList<MemberTransition> Transitions);

/// <summary><c>GET /api/v1/zones</c>.</summary>
internal sealed record ZonesBody(IReadOnlyList<ServedZoneInfo> Zones);

/// <summary>The feed's <c>redis</c> event: the shared state's link changed.</summary>
internal sealed record RedisEvent(DateTimeOffset At, string Mode, bool Connected, bool Degraded);

/// <summary>The feed's <c>reload</c> event: the zones served now.</summary>
internal sealed record ReloadEvent(DateTimeOffset At, IReadOnlyList<ServedZoneInfo> Zones);
