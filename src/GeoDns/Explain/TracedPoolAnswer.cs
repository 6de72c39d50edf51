using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;

namespace GeoDns.Explain;

/// <summary>
/// Stands in for a pool's <see cref="PoolAnswer"/> while <c>geodns explain</c> writes one reply:
/// the same <see cref="PoolSelector"/> over the same model, locator and random source, with a
/// trace, and the records written the way <see cref="PoolAnswer"/> writes them. The reply then
/// holds exactly the members the trace tells about.
/// </summary>
public sealed class TracedPoolAnswer : IDynamicAnswer
{
    private const int FixedLength = 12; // pointer, type, class, TTL, RDLENGTH

    private readonly IClientLocator _locator;
    private readonly IRandomSource _random;

    public TracedPoolAnswer(PoolModel pool, IClientLocator locator, IRandomSource random)
    {
        Pool = pool;
        _locator = locator;
        _random = random;
    }

    public PoolModel Pool { get; }

    public ushort Type => Pool.Type;

    public SelectionTrace Trace { get; } = new();

    /// <summary>True once the server's writer asked the pool for its records.</summary>
    public bool Ran { get; private set; }

    /// <summary>The chosen members, in the order their records were written.</summary>
    public IReadOnlyList<MemberModel> Chosen { get; private set; } = [];

    public int ScopePrefix { get; private set; }

    public int Write(Span<byte> destination, int ownerOffset, ref QueryContext context, out int recordCount)
    {
        Ran = true;
        var chosen = new int[Pool.Capacity];
        int count = PoolSelector.Select(Pool, context.Client, context.ClientPrefix, _locator, _random, chosen, out int scope, Trace);
        context.ScopePrefix = scope;
        ScopePrefix = scope;
        Chosen = [.. chosen[..count].Select(i => Pool.Members[i])];
        recordCount = 0;
        int position = 0;
        foreach (var member in Chosen)
        {
            int length = FixedLength + member.RData.Length;
            if (position + length > destination.Length)
            {
                return -1;
            }

            var record = destination.Slice(position, length);
            DnsWire.WriteUInt16(record, 0, (ushort)(0xC000 | ownerOffset));
            DnsWire.WriteUInt16(record, 2, Pool.Type);
            DnsWire.WriteUInt16(record, 4, RecordClass.IN);
            DnsWire.WriteUInt32(record, 6, Pool.Ttl);
            DnsWire.WriteUInt16(record, 10, (ushort)member.RData.Length);
            member.RData.CopyTo(record[FixedLength..]);
            position += length;
            recordCount++;
        }

        return position;
    }
}
