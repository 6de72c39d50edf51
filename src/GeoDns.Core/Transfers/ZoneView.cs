using GeoDns.Core.Dns;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Transfers;

/// <summary>
/// A served zone as a secondary receives it: its plain records as in the file and each
/// traffic-managed name as plain records of the pool's type — the answer the pool gives a
/// client that cannot be located, with health, drains, forced states and pins as they are
/// now. Nothing of the traffic syntax and no private-use type (RFC 6895) ever leaves.
/// </summary>
public static class ZoneView
{
    /// <summary>The first private-use RR type code (RFC 6895 3.1: 65280-65534).</summary>
    public const ushort FirstPrivateType = 65280;

    /// <summary>The last private-use RR type code.</summary>
    public const ushort LastPrivateType = 65534;

    /// <summary>
    /// The zone's records in transfer order: the SOA (with <paramref name="serial"/>) first,
    /// then every other record, pools last. Lazy, so a large zone streams record by record.
    /// </summary>
    /// <param name="pools">The pools' records to send (taken when <paramref name="serial"/> was); null: as they are now.</param>
    public static IEnumerable<ResourceRecord> Records(Zone zone, uint serial, IReadOnlyList<ResourceRecord>? pools = null)
    {
        var file = zone.Source ?? throw new InvalidOperationException($"zone {zone.Apex} was not built from a file and cannot be transferred");
        yield return WithSerial(file.Soa, serial);
        foreach (var entry in file.Records)
        {
            var record = entry.Record;
            if (record.Type != RecordType.SOA && Transferable(record.Type))
            {
                yield return record;
            }
        }

        foreach (var record in pools ?? PoolRecords(zone))
        {
            yield return record;
        }
    }

    /// <summary>Every pool's records as they are now, in file order.</summary>
    public static IReadOnlyList<ResourceRecord> PoolRecords(Zone zone)
    {
        var records = new List<ResourceRecord>();
        foreach (var (owner, answer) in zone.Pools)
        {
            if (answer is PoolAnswer pool)
            {
                records.AddRange(PoolRecords(pool.Pool, owner));
            }
        }

        return records;
    }

    /// <summary>Whether a record of <paramref name="type"/> may be sent to a secondary.</summary>
    public static bool Transferable(ushort type) => type is < FirstPrivateType or > LastPrivateType;

    /// <summary>
    /// The records a client that cannot be located gets from <paramref name="pool"/> now (the
    /// policy's fallback view; weighted draws are fixed, so the same health gives the same records).
    /// </summary>
    public static IReadOnlyList<ResourceRecord> PoolRecords(PoolModel pool, DnsName owner)
    {
        Span<int> chosen = stackalloc int[pool.Capacity];
        int count = Choose(pool, chosen);
        var records = new ResourceRecord[count];
        for (int i = 0; i < count; i++)
        {
            records[i] = new ResourceRecord(owner, pool.Type, RecordClass.IN, pool.Ttl, pool.Members[chosen[i]].RData);
        }

        // Member order is the policy's; a secondary's RRset has none, and a stable order keeps the fingerprint stable.
        Array.Sort(records, (a, b) => a.RData.AsSpan().SequenceCompareTo(b.RData));
        return records;
    }

    /// <summary>
    /// A number that changes when what <see cref="Records"/> would send changes, given the same
    /// zone object: a hash of each pool's chosen members. Cheap enough to poll.
    /// </summary>
    public static ulong PoolFingerprint(Zone zone)
    {
        ulong hash = 14695981039346656037UL;
        Span<int> chosen = stackalloc int[PoolModel.MaxMembers];
        foreach (var (_, answer) in zone.Pools)
        {
            if (answer is not PoolAnswer pool)
            {
                continue;
            }

            int count = Choose(pool.Pool, chosen[..Math.Min(pool.Pool.Capacity, chosen.Length)]);
            ulong set = 0;
            for (int i = 0; i < count; i++)
            {
                set |= 1UL << (chosen[i] & 63);
            }

            hash = (hash ^ set ^ (ulong)count << 56) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>The SOA record with its serial replaced.</summary>
    public static ResourceRecord WithSerial(ResourceRecord soa, uint serial)
    {
        var rdata = soa.RData.ToArray();
        DnsWire.WriteUInt32(rdata, rdata.Length - 20, serial);
        return soa with { RData = rdata };
    }

    /// <summary>The SOA serial of an SOA record.</summary>
    public static uint SerialOf(ResourceRecord soa) => DnsWire.ReadUInt32(soa.RData, soa.RData.Length - 20);

    private static int Choose(PoolModel pool, Span<int> chosen) =>
        PoolSelector.Select(pool, ClientAddress.None, 0, NoLocator.Instance, FixedDraw.Instance, chosen, out _);

    /// <summary>Always the first draw: a weighted choice picks the same members for the same healthy set.</summary>
    private sealed class FixedDraw : IRandomSource
    {
        public static readonly FixedDraw Instance = new();

        public long Next(long exclusiveMax) => 0;
    }
}
