using System.Net;
using GeoDns.Core.Dns;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Health;

/// <summary>
/// One (member, check) pair to probe. <see cref="Address"/> is what the probe connects to:
/// the check's <c>target=</c>, else the member's address (A/AAAA pools) or its target name
/// (CNAME pools, resolved when probed).
/// </summary>
public sealed record ProbeTarget(MemberKey Key, string Region, string CheckName, CheckSettings Settings, string Address)
{
    /// <summary>Identity across reloads: a pair with the same id keeps its state.</summary>
    public (MemberKey Key, string CheckName) Id => (Key, CheckName);

    public override string ToString() => $"{Key} [{CheckName} {Settings.Kind} {Address}]";
}

/// <summary>Turns zone files into the probe targets they declare.</summary>
public static class ProbePlan
{
    /// <summary>Every monitored member of <paramref name="zone"/>; settings that do not parse are reported in <paramref name="errors"/>.</summary>
    public static IReadOnlyList<ProbeTarget> Build(ZoneFile zone, ICollection<string> errors)
    {
        var checks = zone.Checks.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var targets = new List<ProbeTarget>();
        foreach (var pool in zone.Pools)
        {
            foreach (var member in pool.Members)
            {
                var checkName = member.Check ?? pool.Check;
                if (checkName is null)
                {
                    continue;
                }

                var key = new MemberKey(pool.Owner.ToString(), member.Target);
                if (!checks.TryGetValue(checkName, out var check))
                {
                    errors.Add($"{member.Location}: {key}: check '{checkName}' is not declared in {zone.Path}");
                    continue;
                }

                try
                {
                    var settings = CheckSettings.From(check, member.Settings);
                    targets.Add(new ProbeTarget(key, member.Region, checkName, settings, settings.Target ?? Address(pool, member)));
                }
                catch (FormatException e)
                {
                    errors.Add($"{member.Location}: {key}: check '{checkName}': {e.Message}");
                }
            }
        }

        return targets;
    }

    /// <summary>The member's own address: its A/AAAA RDATA, or its CNAME target name.</summary>
    public static string Address(PoolDefinition pool, MemberDefinition member) => pool.Type switch
    {
        RecordType.A when member.RData.Length == 4 => new IPAddress(member.RData).ToString(),
        RecordType.AAAA when member.RData.Length == 16 => new IPAddress(member.RData).ToString(),
        RecordType.CNAME when DnsName.IsValidWire(member.RData) => DnsName.FromWire(member.RData).ToString(),
        _ => member.Target,
    };
}
