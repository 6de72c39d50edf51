using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones;

/// <summary>Zone-wide checks that look names up across owners: glue and names below a DNAME.</summary>
internal static partial class ZoneValidator
{
    /// <summary>An in-zone NS target needs an address record (glue, or the host's own A/AAAA).</summary>
    private static void CheckGlue(DnsName origin, List<ZoneEntry> records, List<int> nsRecords, bool[] removed, NameIndex names, int[] first, int[] next, List<ZoneDiagnostic> diagnostics)
    {
        var verdicts = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (int i in nsRecords)
        {
            var rr = records[i].Record;
            if (!DnsName.IsValidWire(rr.RData))
            {
                continue;
            }

            var target = DnsName.FromWire(rr.RData);
            if (!target.IsSubdomainOf(origin))
            {
                continue;
            }

            if (!verdicts.TryGetValue(target.Key, out bool hasAddress))
            {
                hasAddress = false;
                if (names.IndexOf(target.Key) is int owner and >= 0)
                {
                    for (int j = first[owner]; j >= 0; j = next[j])
                    {
                        hasAddress |= !removed[j] && records[j].Record.Type is RecordType.A or RecordType.AAAA;
                    }
                }

                verdicts[target.Key] = hasAddress;
            }

            if (!hasAddress)
            {
                string where = rr.Owner == origin ? "apex NS" : $"delegation {rr.Owner}";
                Warning(diagnostics, records[i].Location, $"{where} points to {target}, inside the zone, but it has no A or AAAA record (glue)");
            }
        }
    }

    private static void CheckBelowDname(DnsName origin, List<ZoneEntry> records, int ownerCount, int[] first, HashSet<string> dnameOwners, List<ZoneDiagnostic> diagnostics)
    {
        for (int number = 0; number < ownerCount; number++)
        {
            int index = first[number];
            var owner = records[index].Record.Owner;
            for (var name = owner; name.LabelCount > origin.LabelCount && !name.IsRoot;)
            {
                name = name.Parent();
                if (dnameOwners.Contains(name.Key))
                {
                    Warning(diagnostics, records[index].Location, $"{owner} is below the DNAME at {name} and can never be answered");
                    break;
                }
            }
        }
    }
}
