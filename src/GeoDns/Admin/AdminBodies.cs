using GeoDns.Health;

namespace GeoDns.Admin;

/// <summary>Any refusal or failure: <c>{"error": "..."}</c>.</summary>
internal sealed record ErrorBody(string Error);

/// <summary><c>GET /healthz</c>.</summary>
internal sealed record HealthBody(string Status);

/// <summary><c>GET /readyz</c>: ready when every check is.</summary>
internal sealed record ReadyBody(bool Ready, IReadOnlyList<ReadyCheck> Checks, SharedStateReport SharedState);

/// <summary>One readiness check of <see cref="ReadyBody"/>.</summary>
internal sealed record ReadyCheck(string Name, bool Ready);

/// <summary>The answer to an override change.</summary>
internal sealed record ChangeBody(bool Ok, bool Shared, string? Detail, OverridesBody Overrides);
