using GeoDns.Core.Wire;

namespace GeoDns.Core.Traffic;

/// <summary>
/// Everything a policy may use for one query, on the stack. The client's location is looked
/// up on first use only, so pools whose policy never needs it never pay for it.
/// </summary>
public ref struct SelectionContext
{
    private ClientLocation _location;
    private bool _located;

    public SelectionContext(PoolModel pool, ReadOnlySpan<int> candidates, ReadOnlySpan<bool> isCandidate,
        ClientAddress client, int clientPrefix, IClientLocator locator, IRandomSource random, SelectionTrace? trace)
    {
        Pool = pool;
        Candidates = candidates;
        IsCandidate = isCandidate;
        Client = client;
        ClientPrefix = clientPrefix;
        Locator = locator;
        Random = random;
        Trace = trace;
    }

    public PoolModel Pool { get; }

    /// <summary>Indices of the members that may answer, in file order.</summary>
    public ReadOnlySpan<int> Candidates { get; }

    /// <summary>By member index: is it in <see cref="Candidates"/>?</summary>
    public ReadOnlySpan<bool> IsCandidate { get; }

    public ClientAddress Client { get; }

    /// <summary>Known leading bits of <see cref="Client"/> (ECS source prefix, else full length).</summary>
    public int ClientPrefix { get; }

    public IClientLocator Locator { get; }

    public IRandomSource Random { get; }

    /// <summary>Non-null only for explain: policies describe their steps into it.</summary>
    public SelectionTrace? Trace { get; }

    /// <summary>
    /// What the policy reports about its choice: <see cref="DecisionReason.GeoMatch"/> when the
    /// client's location picked the region, <see cref="DecisionReason.Fallback"/> when it could not.
    /// </summary>
    public DecisionReason Reason { get; set; }

    /// <summary>Leading client bits the decision depended on (the ECS SCOPE PREFIX); 0: none.</summary>
    public int ScopePrefix { get; private set; }

    /// <summary>Records that the answer depended on the first <paramref name="prefix"/> bits of the client.</summary>
    public void DependsOn(int prefix) => ScopePrefix = Math.Max(ScopePrefix, prefix);

    /// <summary>The client's location, looked up once per query.</summary>
    public ClientLocation Location()
    {
        if (!_located)
        {
            _location = ClientPrefix <= 0
                ? ClientLocation.Unknown(0, "client subnet /0: location withheld")
                : Locator.Locate(Client.Masked(ClientPrefix), ClientPrefix);
            _located = true;
            Trace?.Located(Client, ClientPrefix, _location);
        }

        return _location;
    }

    /// <summary>Copies the candidates of one region into <paramref name="destination"/>; returns how many.</summary>
    public readonly int CandidatesIn(RegionModel region, Span<int> destination)
    {
        int count = 0;
        foreach (int member in region.Members)
        {
            if (IsCandidate[member])
            {
                destination[count++] = member;
            }
        }

        return count;
    }
}
