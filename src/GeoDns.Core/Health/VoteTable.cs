namespace GeoDns.Core.Health;

/// <summary>
/// What this instance knows of every instance's votes: the other instances' votes as last read
/// from the shared store, and its own verdict straight from the board (always fresh). Pure and
/// thread-safe; the store feeds it and asks it for verdicts.
/// </summary>
public sealed class VoteTable
{
    /// <summary>Used for members voted on without a <c>$CHECK</c> description.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private Dictionary<MemberKey, MonitoredMember> _monitored = [];
    private readonly Dictionary<MemberKey, Vote[]> _remote = [];

    public VoteTable(string instance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instance);
        Instance = instance;
    }

    public string Instance { get; }

    public IReadOnlyCollection<MonitoredMember> Monitored
    {
        get
        {
            lock (_lock)
            {
                return _monitored.Values.ToList();
            }
        }
    }

    /// <summary>Replaces the monitored set and forgets remote votes of members no longer monitored.</summary>
    public void SetMonitored(IReadOnlyCollection<MonitoredMember> members)
    {
        var map = new Dictionary<MemberKey, MonitoredMember>();
        foreach (var member in members)
        {
            map[member.Key] = member;
        }

        lock (_lock)
        {
            _monitored = map;
            foreach (var key in _remote.Keys.Where(k => !map.ContainsKey(k)).ToList())
            {
                _remote.Remove(key);
            }
        }
    }

    public MonitoredMember? Find(MemberKey key)
    {
        lock (_lock)
        {
            return _monitored.GetValueOrDefault(key);
        }
    }

    public Quorum QuorumOf(MemberKey key) => Find(key)?.Quorum ?? Quorum.Majority;

    public TimeSpan FreshnessOf(MemberKey key) => VoteCombiner.Freshness(Find(key)?.Interval ?? DefaultInterval);

    /// <summary>Replaces the other instances' votes for <paramref name="key"/> (this instance's own entry is ignored).</summary>
    public void ReplaceRemote(MemberKey key, IEnumerable<Vote> votes)
    {
        var others = votes.Where(v => !string.Equals(v.Instance, Instance, StringComparison.Ordinal)).ToArray();
        lock (_lock)
        {
            if (others.Length == 0)
            {
                _remote.Remove(key);
            }
            else
            {
                _remote[key] = others;
            }
        }
    }

    /// <summary>Forgets every remote vote (used by tests and when the store is reset).</summary>
    public void ClearRemote()
    {
        lock (_lock)
        {
            _remote.Clear();
        }
    }

    /// <summary>Every known vote for <paramref name="key"/>: the remote ones as read, then this instance's.</summary>
    public IReadOnlyList<Vote> VotesFor(MemberKey key, HealthStatus local, DateTimeOffset now)
    {
        var list = new List<Vote>();
        lock (_lock)
        {
            if (_remote.TryGetValue(key, out var votes))
            {
                list.AddRange(votes);
            }
        }

        if (local != HealthStatus.Unknown)
        {
            list.Add(new Vote(Instance, local, now));
        }

        return list;
    }

    /// <summary>
    /// The combined verdict for <paramref name="key"/>. Remote votes are judged fresh relative to
    /// <paramref name="remoteReference"/>: the current time while the shared store is reachable,
    /// the time of the last good read while it is not — so an outage freezes the last shared
    /// view instead of letting it age out. This instance's own verdict always counts.
    /// </summary>
    public HealthStatus Evaluate(MemberKey key, HealthStatus local, DateTimeOffset remoteReference)
    {
        var maxAge = FreshnessOf(key);
        var quorum = QuorumOf(key);
        int up = local == HealthStatus.Up ? 1 : 0;
        int down = local == HealthStatus.Down ? 1 : 0;
        lock (_lock)
        {
            if (_remote.TryGetValue(key, out var votes))
            {
                foreach (var vote in votes)
                {
                    if (VoteCombiner.IsFresh(vote, remoteReference, maxAge))
                    {
                        if (vote.Status == HealthStatus.Up)
                        {
                            up++;
                        }
                        else
                        {
                            down++;
                        }
                    }
                }
            }
        }

        return VoteCombiner.Combine(up, down, quorum);
    }
}
