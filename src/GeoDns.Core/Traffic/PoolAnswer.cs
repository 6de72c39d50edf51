using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;

namespace GeoDns.Core.Traffic;

/// <summary>
/// The per-query answer of a traffic-managed name: selects members with
/// <see cref="PoolSelector"/> and copies their records, encoded when the zone was built,
/// owned by a compression pointer to the name they answer for.
/// </summary>
public sealed class PoolAnswer : IDynamicAnswer
{
    private const int FixedLength = 12; // pointer, type, class, TTL, RDLENGTH

    private readonly IClientLocator _locator;
    private readonly IRandomSource _random;
    private readonly byte[][] _records;

    public PoolAnswer(PoolModel pool, IClientLocator locator, IRandomSource random)
    {
        Pool = pool;
        _locator = locator;
        _random = random;
        _records = [.. pool.Members.Select(m => Encode(pool, m))];
    }

    public PoolModel Pool { get; }

    public ushort Type => Pool.Type;

    public int Write(Span<byte> destination, int ownerOffset, ref QueryContext context, out int recordCount)
    {
        Span<int> chosen = stackalloc int[Pool.Capacity];
        int count = PoolSelector.Select(Pool, context.Client, context.ClientPrefix, _locator, _random, chosen, out int scope, out var reason);
        context.ScopePrefix = scope;
        context.Pool = Pool;
        context.Region = count > 0 ? Pool.Members[chosen[0]].Region : -1;
        context.Reason = reason;
        recordCount = 0;
        int position = 0;
        ushort pointer = (ushort)(0xC000 | ownerOffset);
        for (int i = 0; i < count; i++)
        {
            var record = _records[chosen[i]];
            if (position + record.Length > destination.Length)
            {
                return -1;
            }

            record.CopyTo(destination[position..]);
            DnsWire.WriteUInt16(destination, position, pointer);
            position += record.Length;
            recordCount++;
        }

        return position;
    }

    private static byte[] Encode(PoolModel pool, MemberModel member)
    {
        var record = new byte[FixedLength + member.RData.Length];
        DnsWire.WriteUInt16(record, 2, pool.Type);
        DnsWire.WriteUInt16(record, 4, RecordClass.IN);
        DnsWire.WriteUInt32(record, 6, pool.Ttl);
        DnsWire.WriteUInt16(record, 10, (ushort)member.RData.Length);
        member.RData.CopyTo(record, FixedLength);
        return record;
    }
}
