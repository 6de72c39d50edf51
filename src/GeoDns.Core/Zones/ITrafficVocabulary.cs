using GeoDns.Core.Settings;

namespace GeoDns.Core.Zones;

/// <summary>
/// The routing policies and check kinds a zone file may name, with the settings each accepts.
/// The parser validates <c>POOL</c>, <c>MEMBER</c> and <c>$CHECK</c> lines through it, so a policy
/// or a checker registered by the host is known to the zone syntax without the syntax knowing it.
/// </summary>
public interface ITrafficVocabulary
{
    IEnumerable<string> PolicyNames { get; }

    /// <summary>The keys a policy adds to <c>POOL</c> lines, or null when no policy has that name.</summary>
    SettingsSchema? PolicySettings(string policy);

    /// <summary>Whether a pool can fall back to this policy when its own finds no answer (geo cannot).</summary>
    bool CanBeFallback(string policy);

    /// <summary>Whether the policy chooses among members by <c>weight=</c> (weighted, and geo and nearest inside a region).</summary>
    bool UsesWeights(string policy);

    IEnumerable<string> CheckKinds { get; }

    /// <summary>Every key a <c>$CHECK</c> of this kind accepts, or null when no checker runs it.</summary>
    SettingsSchema? CheckSettings(string kind);
}
