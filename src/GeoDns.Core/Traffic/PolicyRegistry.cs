namespace GeoDns.Core.Traffic;

/// <summary>Routing policies by the name zone files use (the built-in ones: <c>Loading.BuiltIns.Policies</c>).</summary>
public sealed class PolicyRegistry
{
    private readonly Dictionary<string, IRoutingPolicy> _policies = new(StringComparer.Ordinal);

    public IEnumerable<string> Names => _policies.Keys;

    /// <summary>Adds or replaces the policy registered under <see cref="IRoutingPolicy.Name"/>.</summary>
    public void Register(IRoutingPolicy policy) => _policies[policy.Name] = policy;

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IRoutingPolicy? policy) =>
        _policies.TryGetValue(name, out policy);

    public IRoutingPolicy Get(string name) =>
        TryGet(name, out var policy) ? policy
            : throw new InvalidOperationException($"unknown routing policy '{name}' (known: {string.Join(", ", _policies.Keys.Order(StringComparer.Ordinal))})");
}
