namespace GeoDns.Core.Health;

/// <summary>
/// What this instance knows of every instance's votes: the other instances' votes as last read
/// from (or announced through) the shared store, and its own verdict straight from the board
/// (always fresh). Pure and thread-safe; the store feeds it and asks it for verdicts.
/// <para>
/// Another instance's votes count while that instance's <em>heartbeat</em> is fresh: heard, on
/// this instance's own monotonic clock, within the member's freshness window
/// (<see cref="FreshnessOf"/>). Votes themselves are written only when they change, so they carry
/// no life of their own. No stamp a writer put in is compared with this clock, so clock skew
/// neither extends nor cuts a vote's life. A dead writer and a store this instance cannot reach
/// look alike: the heartbeats stop, the others' votes go stale, and this instance's own verdict
/// decides alone; nothing stale is frozen.
/// </para>
/// </summary>
public sealed class VoteTable
{
    /// <summary>Used for members voted on without a <c>$CHECK</c> description.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    /// <summary>An instance not heard for this many (longest) freshness windows is reported by <see cref="SilentInstances"/> for deletion.</summary>
    public const int ForgetAfterWindows = 10;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _origin;
    private Dictionary<MemberKey, MonitoredMember> _monitored = [];
    private TimeSpan _longestFreshness = VoteCombiner.Freshness(DefaultInterval);
    private readonly Dictionary<MemberKey, Vote[]> _remote = [];
    private readonly Dictionary<string, Heartbeat> _heard = new(StringComparer.Ordinal);

    /// <param name="instance">This instance's name (its own entry among the read votes is ignored).</param>
    /// <param name="time">This instance's clock: its monotonic timestamps age the heartbeats.</param>
    public VoteTable(string instance, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instance);
        Instance = instance;
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
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

        var longest = map.Count == 0 ? DefaultInterval : map.Values.Max(m => m.Interval);
        lock (_lock)
        {
            _monitored = map;
            _longestFreshness = VoteCombiner.Freshness(longest);
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

    /// <summary>Records that <paramref name="instance"/>'s heartbeat was heard now: its votes count for a freshness window from now.</summary>
    public void Heard(string instance)
    {
        if (string.Equals(instance, Instance, StringComparison.Ordinal))
        {
            return;
        }

        var now = LocalNow;
        lock (_lock)
        {
            _heard[instance] = new Heartbeat(now, now);
        }
    }

    /// <summary>Replaces the other instances' votes for <paramref name="key"/> with what was just read (this instance's own entry is ignored).</summary>
    public void ReplaceRemote(MemberKey key, IEnumerable<Vote> votes)
    {
        var others = votes.Where(v => !string.Equals(v.Instance, Instance, StringComparison.Ordinal)).ToArray();
        var now = LocalNow;
        lock (_lock)
        {
            foreach (var vote in others)
            {
                Know(vote.Instance, now);
            }

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

    /// <summary>Sets (or, for <see cref="HealthStatus.Unknown"/>, removes) one instance's vote on <paramref name="key"/>, as announced.</summary>
    public void SetRemote(MemberKey key, Vote vote)
    {
        if (string.Equals(vote.Instance, Instance, StringComparison.Ordinal))
        {
            return;
        }

        lock (_lock)
        {
            Know(vote.Instance, LocalNow);
            var kept = _remote.TryGetValue(key, out var held)
                ? held.Where(v => !string.Equals(v.Instance, vote.Instance, StringComparison.Ordinal)).ToList()
                : [];
            if (vote.Status != HealthStatus.Unknown)
            {
                kept.Add(vote);
            }

            if (kept.Count == 0)
            {
                _remote.Remove(key);
            }
            else
            {
                _remote[key] = [.. kept];
            }
        }
    }

    /// <summary>
    /// Instances not heard for <see cref="ForgetAfterWindows"/> of the longest freshness window
    /// (counted from when they were first known if never heard), with the members they hold votes
    /// on, for the caller to delete from the store; they stopped counting long before.
    /// </summary>
    public IReadOnlyList<(string Instance, IReadOnlyList<MemberKey> Members)> SilentInstances()
    {
        var now = LocalNow;
        lock (_lock)
        {
            var forgetAfter = _longestFreshness * ForgetAfterWindows;
            var silent = _heard.Where(h => now - h.Value.Latest > forgetAfter).Select(h => h.Key).ToList();
            return silent.Select(instance => (instance, (IReadOnlyList<MemberKey>)_remote
                    .Where(r => r.Value.Any(v => string.Equals(v.Instance, instance, StringComparison.Ordinal)))
                    .Select(r => r.Key).ToList()))
                .ToList();
        }
    }

    /// <summary>Drops every vote of <paramref name="instance"/> and what was heard of it.</summary>
    public void Forget(string instance)
    {
        lock (_lock)
        {
            _heard.Remove(instance);
            foreach (var key in _remote.Keys.ToList())
            {
                var kept = _remote[key].Where(v => !string.Equals(v.Instance, instance, StringComparison.Ordinal)).ToArray();
                if (kept.Length == 0)
                {
                    _remote.Remove(key);
                }
                else
                {
                    _remote[key] = kept;
                }
            }
        }
    }

    /// <summary>Forgets every remote vote and heartbeat (used by tests and when the store is reset).</summary>
    public void ClearRemote()
    {
        lock (_lock)
        {
            _remote.Clear();
            _heard.Clear();
        }
    }

    /// <summary>Every known vote for <paramref name="key"/>, stale ones included: the remote ones as read, then this instance's.</summary>
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

    /// <summary>True while <paramref name="instance"/>'s vote on <paramref name="key"/> counts (this instance's own always does).</summary>
    public bool IsFresh(MemberKey key, string instance)
    {
        if (string.Equals(instance, Instance, StringComparison.Ordinal))
        {
            return true;
        }

        var maxAge = FreshnessOf(key);
        var now = LocalNow;
        lock (_lock)
        {
            return _remote.TryGetValue(key, out var votes)
                && votes.Any(v => string.Equals(v.Instance, instance, StringComparison.Ordinal) && Counts(v, now, maxAge));
        }
    }

    /// <summary>
    /// The combined verdict for <paramref name="key"/>: this instance's own verdict plus the votes
    /// of the other instances whose heartbeat was heard within the freshness window, on this clock,
    /// now. Called again later with no heartbeat in between (the writer dead, or the store
    /// unreachable), the others' votes age out and this instance's own verdict decides alone.
    /// </summary>
    public HealthStatus Evaluate(MemberKey key, HealthStatus local)
    {
        var maxAge = FreshnessOf(key);
        var quorum = QuorumOf(key);
        var now = LocalNow;
        int up = local == HealthStatus.Up ? 1 : 0;
        int down = local == HealthStatus.Down ? 1 : 0;
        lock (_lock)
        {
            if (_remote.TryGetValue(key, out var votes))
            {
                foreach (var vote in votes)
                {
                    if (!Counts(vote, now, maxAge))
                    {
                        continue;
                    }

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

        return VoteCombiner.Combine(up, down, quorum);
    }

    /// <summary>This instance's monotonic clock (immune to wall-clock steps), as time since the table was made.</summary>
    private TimeSpan LocalNow => _time.GetElapsedTime(_origin);

    /// <summary>Under the lock: a vote counts when it has a verdict and its writer was heard within <paramref name="maxAge"/>.</summary>
    private bool Counts(Vote vote, TimeSpan now, TimeSpan maxAge) =>
        vote.Status != HealthStatus.Unknown
        && _heard.TryGetValue(vote.Instance, out var heartbeat) && heartbeat.Heard is { } heard && now - heard <= maxAge;

    /// <summary>Under the lock: starts tracking an instance first known from its votes (never heard yet: its votes do not count).</summary>
    private void Know(string instance, TimeSpan now)
    {
        if (!_heard.ContainsKey(instance))
        {
            _heard[instance] = new Heartbeat(null, now);
        }
    }

    /// <summary>When an instance was last heard (null: never), and the latest of that and when it was first known.</summary>
    private readonly record struct Heartbeat(TimeSpan? Heard, TimeSpan Latest);
}
