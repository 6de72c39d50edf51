using GeoDns.Core.Health;
using GeoDns.Core.Settings;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Loading;

/// <summary>The zone syntax's view of the registered routing policies and check kinds.</summary>
public sealed class TrafficVocabulary : ITrafficVocabulary
{
    public TrafficVocabulary(PolicyRegistry policies, CheckKindRegistry checks)
    {
        Policies = policies;
        Checks = checks;
    }

    /// <summary>The built-in policies and check kinds (what <c>geodns serve</c> registers by default).</summary>
    public static TrafficVocabulary BuiltIn { get; } = new(BuiltIns.Policies(), new CheckKindRegistry(BuiltIns.CheckKinds));

    public PolicyRegistry Policies { get; }

    public CheckKindRegistry Checks { get; }

    public IEnumerable<string> PolicyNames => Policies.Names;

    public IEnumerable<string> CheckKinds => Checks.Names;

    public SettingsSchema? PolicySettings(string policy) => Policies.TryGet(policy, out var p) ? p.Settings : null;

    public bool CanBeFallback(string policy) => Policies.TryGet(policy, out var p) && p.CanBeFallback;

    public bool UsesWeights(string policy) => Policies.TryGet(policy, out var p) && p.UsesWeights;

    public SettingsSchema? CheckSettings(string kind) => Checks.TryGet(kind, out var k) ? k.Settings : null;
}
