using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Core.Zones;

/// <summary>
/// Zone-wide semantic checks in the spirit of Knot's: SOA, CNAME and DNAME rules, data outside
/// the zone, apex NS and glue, duplicate records and RRsets with mixed TTLs (RFC 2181), and
/// records at traffic-managed POOL names.
/// </summary>
internal static partial class ZoneValidator
{
    /// <summary>
    /// Validates and returns the records to serve (the same list, compacted in place): duplicates
    /// dropped, each RRset's TTL set to its lowest. <paramref name="owners"/> numbers the owner
    /// names and <paramref name="ownerOf"/> gives each returned record's owner number.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static List<ZoneEntry> Validate(
        DnsName origin,
        string file,
        List<ZoneEntry> records,
        IEnumerable<(DnsName Owner, SourceLocation Location)> poolOwners,
        List<ZoneDiagnostic> diagnostics,
        out NameIndex owners,
        out int[] ownerOf)
    {
        // Number the owners, one hash probe per run of records (the loader gives consecutive
        // records of one owner the same DnsName): first[n] is owner n's first record, next[]
        // chains its records in file order.
        var names = new NameIndex(records.Count, records.Count * (origin.Key.Length + 8));
        ownerOf = new int[records.Count];
        var first = new int[records.Count];
        var last = new int[records.Count];
        var next = new int[records.Count];
        DnsName? previous = null;
        int n = -1;
        Span<char> key = stackalloc char[DnsName.MaxWireLength];
        // The hash slots of the owners a few records ahead are fetched while this one is added.
        const int Ahead = 8;
        Span<int> hashes = stackalloc int[Ahead];
        for (int i = 0; i < Math.Min(Ahead, records.Count); i++)
        {
            hashes[i] = NameIndex.HashOfWire(records[i].Record.Owner.Wire);
            names.Prefetch(hashes[i]);
        }

        for (int i = 0; i < records.Count; i++)
        {
            var owner = records[i].Record.Owner;
            int hash = hashes[i % Ahead];
            if (i + Ahead < records.Count)
            {
                int coming = NameIndex.HashOfWire(records[i + Ahead].Record.Owner.Wire);
                hashes[i % Ahead] = coming;
                names.Prefetch(coming);
            }

            bool added = false;
            if (!ReferenceEquals(owner, previous))
            {
                // The key is written on the stack: owner names need no key strings.
                DnsName.WriteKey(owner.Wire, key);
                n = names.Add(key[..owner.WireLength], hash, out added);
                previous = owner;
            }

            ownerOf[i] = n;
            next[i] = -1;
            if (added)
            {
                first[n] = i;
            }
            else
            {
                next[last[n]] = i;
            }

            last[n] = i;
        }

        owners = names;

        var removed = new bool[records.Count];
        var lowered = new Dictionary<int, uint>(); // record index -> its RRset's lowest TTL, when different
        var pools = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var (owner, location) in poolOwners)
        {
            pools[owner.Key] = location;
        }

        var group = new List<int>();
        var dnameOwners = new HashSet<string>(StringComparer.Ordinal);
        ZoneEntry? firstSoa = null;
        bool apexNs = false;
        var nsRecords = new List<int>();
        int removedCount = 0;
        for (int o = 0; o < names.Count; o++)
        {
            var owner = records[first[o]].Record.Owner;
            group.Clear();
            for (int j = first[o]; j >= 0; j = next[j])
            {
                group.Add(j);
            }

            CheckOwner(origin, records, group, removed, lowered, pools, diagnostics);
            foreach (int j in group)
            {
                var rr = records[j].Record;
                if (removed[j])
                {
                    removedCount++;
                    continue;
                }

                if (rr.Type == RecordType.NS)
                {
                    nsRecords.Add(j);
                }

                switch (rr.Type)
                {
                    case RecordType.SOA when firstSoa is null:
                        firstSoa = records[j];
                        break;
                    case RecordType.SOA:
                        Error(diagnostics, records[j].Location, $"a second SOA record (the first is at {firstSoa.Value.Location})");
                        break;
                    case RecordType.NS when owner == origin:
                        apexNs = true;
                        break;
                    case RecordType.DNAME:
                        dnameOwners.Add(owner.Key);
                        break;
                }

                if (rr.Type == RecordType.SOA && owner != origin)
                {
                    Error(diagnostics, records[j].Location, $"the SOA record must be at the zone apex {origin}, not at {owner}");
                }
            }
        }

        var start = new SourceLocation(file, 1, 1);
        if (firstSoa is null)
        {
            Error(diagnostics, start, $"zone {origin} has no SOA record");
        }

        if (!apexNs)
        {
            Error(diagnostics, firstSoa?.Location ?? start, $"zone {origin} has no NS records at its apex");
        }

        CheckGlue(origin, records, nsRecords, removed, names, first, next, diagnostics);
        if (dnameOwners.Count > 0)
        {
            CheckBelowDname(origin, records, names.Count, first, dnameOwners, diagnostics);
        }

        if (removedCount == 0 && lowered.Count == 0)
        {
            return records; // nothing to drop or lower: skip another pass over every record
        }

        // Compact in place: no second million-entry list.
        int kept = 0;
        for (int i = 0; i < records.Count; i++)
        {
            if (removed[i])
            {
                continue;
            }

            var entry = records[i];
            ownerOf[kept] = ownerOf[i];
            records[kept++] = lowered.TryGetValue(i, out uint ttl) ? entry with { Record = entry.Record with { Ttl = ttl } } : entry;
        }

        records.RemoveRange(kept, records.Count - kept);
        Array.Resize(ref ownerOf, kept);
        return records;
    }

    private static void CheckOwner(
        DnsName origin,
        List<ZoneEntry> records,
        List<int> group,
        bool[] removed,
        Dictionary<int, uint> lowered,
        Dictionary<string, SourceLocation> pools,
        List<ZoneDiagnostic> diagnostics)
    {
        var first = records[group[0]];
        var owner = first.Record.Owner;
        if (!owner.IsSubdomainOf(origin))
        {
            Error(diagnostics, first.Location, $"{owner} is outside the zone {origin}");
        }

        if (pools.Count > 0 && pools.TryGetValue(owner.Key, out var poolLocation))
        {
            Error(diagnostics, first.Location, $"{owner} is a traffic-managed POOL name (at {poolLocation}) and cannot carry other records");
        }

        if (group.Count == 1)
        {
            return;
        }

        // Duplicates (dropped silently) and per-RRset TTLs.
        for (int a = 0; a < group.Count; a++)
        {
            int ia = group[a];
            var ra = records[ia].Record;
            for (int b = 0; b < a; b++)
            {
                int ib = group[b];
                if (removed[ib] || records[ib].Record.Type != ra.Type)
                {
                    continue;
                }

                if (records[ib].Record.RData.AsSpan().SequenceEqual(ra.RData))
                {
                    removed[ia] = true;
                    break;
                }
            }

            if (group.Count > 64 && a > 64)
            {
                break; // large RRsets: the quadratic duplicate scan stops here (handled below)
            }
        }

        if (group.Count > 64)
        {
            DropDuplicatesLarge(records, group, removed);
        }

        CheckCnameAndDname(records, group, removed, owner, diagnostics);
        if (SameTtl(records, group))
        {
            return; // the common case: one TTL for everything at this owner
        }

        var minTtl = new Dictionary<ushort, uint>();
        foreach (int j in group)
        {
            if (removed[j])
            {
                continue;
            }

            var rr = records[j].Record;
            minTtl[rr.Type] = minTtl.TryGetValue(rr.Type, out uint m) ? Math.Min(m, rr.Ttl) : rr.Ttl;
        }

        var warned = new HashSet<ushort>();
        foreach (int j in group)
        {
            var rr = records[j].Record;
            if (!removed[j] && rr.Ttl != minTtl[rr.Type])
            {
                lowered[j] = minTtl[rr.Type];
                if (warned.Add(rr.Type))
                {
                    Warning(diagnostics, records[j].Location,
                        $"the {owner} {RecordTypes.Mnemonic(rr.Type)} RRset has different TTLs; using the lowest, {minTtl[rr.Type]} (RFC 2181 5.2)");
                }
            }
        }
    }

    private static void CheckCnameAndDname(List<ZoneEntry> records, List<int> group, bool[] removed, DnsName owner, List<ZoneDiagnostic> diagnostics)
    {
        ZoneEntry? cname = null;
        ZoneEntry? other = null;
        ZoneEntry? dname = null;
        foreach (int j in group)
        {
            if (removed[j])
            {
                continue;
            }

            var entry = records[j];
            switch (entry.Record.Type)
            {
                case RecordType.CNAME when cname is not null:
                    Error(diagnostics, entry.Location, $"a second CNAME at {owner} (the first is at {cname.Value.Location})");
                    break;
                case RecordType.CNAME:
                    cname = entry;
                    if (other is not null)
                    {
                        Error(diagnostics, entry.Location, $"CNAME at {owner} beside other data ({RecordTypes.Mnemonic(other.Value.Record.Type)} at {other.Value.Location})");
                    }

                    break;
                case RecordType.RRSIG or RecordType.NSEC:
                    break;
                default:
                    if (entry.Record.Type == RecordType.DNAME)
                    {
                        if (dname is not null)
                        {
                            Error(diagnostics, entry.Location, $"a second DNAME at {owner} (the first is at {dname.Value.Location})");
                        }

                        dname ??= entry;
                    }

                    if (cname is not null && other is null)
                    {
                        Error(diagnostics, entry.Location, $"{RecordTypes.Mnemonic(entry.Record.Type)} at {owner} beside a CNAME (at {cname.Value.Location})");
                    }

                    other ??= entry;
                    break;
            }
        }
    }

    private static void DropDuplicatesLarge(List<ZoneEntry> records, List<int> group, bool[] removed)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (int j in group)
        {
            var rr = records[j].Record;
            if (!removed[j] && !seen.Add(string.Concat(rr.Type.ToString(System.Globalization.CultureInfo.InvariantCulture), ":", Convert.ToHexString(rr.RData))))
            {
                removed[j] = true;
            }
        }
    }

    private static bool SameTtl(List<ZoneEntry> records, List<int> group)
    {
        uint ttl = records[group[0]].Record.Ttl;
        foreach (int j in group)
        {
            if (records[j].Record.Ttl != ttl)
            {
                return false;
            }
        }

        return true;
    }

    private static void Error(List<ZoneDiagnostic> diagnostics, SourceLocation location, string message) =>
        diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Error, location, message));

    private static void Warning(List<ZoneDiagnostic> diagnostics, SourceLocation location, string message) =>
        diagnostics.Add(new ZoneDiagnostic(DiagnosticSeverity.Warning, location, message));
}
