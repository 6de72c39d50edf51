using GeoDns.Core.Wire;

namespace GeoDns.Core.Answers;

/// <summary>
/// Records chosen per query (a traffic-managed pool). Implementations must not allocate,
/// block or take locks: they run on the query path.
/// </summary>
public interface IDynamicAnswer
{
    /// <summary>RR type the pool answers with (A, AAAA or CNAME).</summary>
    ushort Type { get; }

    /// <summary>
    /// Writes the chosen records, each owned by a compression pointer to <paramref name="ownerOffset"/>.
    /// Returns the bytes written, or -1 when <paramref name="destination"/> is too small.
    /// </summary>
    int Write(Span<byte> destination, int ownerOffset, ref QueryContext context, out int recordCount);
}

/// <summary>Per-query facts a dynamic answer may depend on, and what it reports back.</summary>
public struct QueryContext
{
    /// <summary>The client to route for: the ECS address when given, else the source address.</summary>
    public ClientAddress Client;

    /// <summary>Prefix length known for <see cref="Client"/> (ECS source prefix, else full length).</summary>
    public int ClientPrefix;

    public bool FromClientSubnet;

    /// <summary>Set by the answer: how many leading bits of the client decided it (ECS SCOPE PREFIX).</summary>
    public int ScopePrefix;

    /// <summary>Set by a traffic-managed answer: the pool that decided (null: none did).</summary>
    public Traffic.PoolModel? Pool;

    /// <summary>Set with <see cref="Pool"/>: the index in its regions of the first member chosen; -1 when none was.</summary>
    public int Region;

    /// <summary>Set with <see cref="Pool"/>: why it answered so.</summary>
    public Traffic.DecisionReason Reason;
}
