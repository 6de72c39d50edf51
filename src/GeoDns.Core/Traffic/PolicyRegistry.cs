using GeoDns.Core.Traffic.Policies;

namespace GeoDns.Core.Traffic;

/// <summary>Routing policies by the name zone files use.</summary>
public sealed class PolicyRegistry
{
    private readonly Dictionary<string, IRoutingPolicy> _policies = new(StringComparer.Ordinal);

    /// <summary>A registry with the built-in policies: failover, weighted, geo, nearest, all.</summary>
    public static PolicyRegistry CreateDefault()
    {
        var registry = new PolicyRegistry();
        registry.Register(FailoverPolicy.Instance);
        registry.Register(WeightedPolicy.Instance);
        registry.Register(GeoPolicy.Instance);
        registry.Register(NearestPolicy.Instance);
        registry.Register(AllPolicy.Instance);
        return registry;
    }

    public IEnumerable<string> Names => _policies.Keys;

    /// <summary>Adds or replaces the policy registered under <see cref="IRoutingPolicy.Name"/>.</summary>
    public void Register(IRoutingPolicy policy) => _policies[policy.Name] = policy;

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IRoutingPolicy? policy) =>
        _policies.TryGetValue(name, out policy);

    public IRoutingPolicy Get(string name) =>
        TryGet(name, out var policy) ? policy
            : throw new InvalidOperationException($"unknown routing policy '{name}' (known: {string.Join(", ", _policies.Keys.Order(StringComparer.Ordinal))})");
}
