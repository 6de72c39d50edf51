using GeoDns.Core.Health;
using GeoDns.Core.Health.Checks;
using GeoDns.Core.Traffic;
using GeoDns.Core.Traffic.Policies;

namespace GeoDns.Core.Loading;

/// <summary>GeoDns's own routing policies and check kinds: one registration line each.</summary>
public static class BuiltIns
{
    /// <summary>The check kinds GeoDns's own checkers run (the host's checkers declare the same ones).</summary>
    public static IReadOnlyList<CheckKind> CheckKinds { get; } =
        [HttpCheck.Http, HttpCheck.Https, TcpCheck.Kind, TcpHalfOpenCheck.Kind, IcmpCheck.Kind, DnsCheck.Kind];

    /// <summary>A new registry with the built-in policies: failover, weighted, geo, nearest, all.</summary>
    public static PolicyRegistry Policies()
    {
        var registry = new PolicyRegistry();
        registry.Register(FailoverPolicy.Instance);
        registry.Register(WeightedPolicy.Instance);
        registry.Register(GeoPolicy.Instance);
        registry.Register(NearestPolicy.Instance);
        registry.Register(AllPolicy.Instance);
        return registry;
    }
}
