using System.Net;
using GeoDns.Core.Dns;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.Parsing;

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
    /// <summary>
    /// Every monitored member of <paramref name="zone"/>, its settings read by the check's kind
    /// from <paramref name="kinds"/>; what does not read is reported in <paramref name="errors"/>,
    /// once per problem (a 200-member pool with a bad check is one line, not 200).
    /// </summary>
    public static IReadOnlyList<ProbeTarget> Build(ZoneFile zone, CheckKindRegistry kinds, ICollection<ZoneDiagnostic> errors)
    {
        var problems = new Dictionary<string, (SourceLocation At, int Members)>(StringComparer.Ordinal);
        void Problem(SourceLocation at, string message) =>
            problems[message] = problems.TryGetValue(message, out var seen) ? (seen.At, seen.Members + 1) : (at, 1);

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
                    Problem(member.Location, $"check '{checkName}' is not declared in {zone.Path}");
                    continue;
                }

                if (!kinds.TryGet(check.Kind, out var kind))
                {
                    Problem(check.Location, $"check '{checkName}': no checker runs kind '{check.Kind}'");
                    continue;
                }

                var bad = new List<string>();
                var settings = CheckSettings.Read(kind, Merge(check, member, kind), bad);
                if (bad.Count > 0)
                {
                    Problem(member.Location, $"check '{checkName}': {string.Join("; ", bad)}");
                    continue;
                }

                targets.Add(new ProbeTarget(key, member.Region, checkName, settings, settings.Target ?? Address(pool, member)));
            }
        }

        foreach (var (message, (at, members)) in problems)
        {
            string count = members > 1 ? $" ({members} members)" : string.Empty;
            errors.Add(new ZoneDiagnostic(DiagnosticSeverity.Error, at, message + count));
        }

        return targets;
    }

    /// <summary>The check's settings with the member's own values for the kind's keys on top.</summary>
    public static IReadOnlyDictionary<string, string> Merge(CheckDefinition check, MemberDefinition member, CheckKind kind)
    {
        var merged = new Dictionary<string, string>(check.Settings, StringComparer.Ordinal);
        foreach (var (key, value) in member.Settings)
        {
            if (kind.Settings.Contains(key))
            {
                merged[key] = value;
            }
        }

        return merged;
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
