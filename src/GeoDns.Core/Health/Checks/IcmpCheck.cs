using GeoDns.Core.Health;

namespace GeoDns.Core.Health.Checks;

/// <summary><c>icmp</c>: an echo reply in time. No port and no settings of its own.</summary>
public static class IcmpCheck
{
    public static readonly CheckKind Kind = new("icmp", port: null, []);
}
