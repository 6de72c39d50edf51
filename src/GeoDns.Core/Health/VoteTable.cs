namespace GeoDns.Core.Health;

/// <summary>
/// What this instance knows of every instance's votes: the other instances' votes as last read
/// from the shared store, and its own verdict straight from the board (always fresh). Pure and
/// thread-safe; the store feeds it and asks it for verdicts.
/// <para>
/// Another instance's vote ages on this instance's own clock: it counts for
/// <see cref="FreshnessOf"/> after this instance last <em>saw it refreshed</em> (read it with a
/// stamp or status different from the one held before). The stamp its writer put in is only
/// compared for change, never against this clock, except that a vote seen for the first time is
/// taken to be no younger than its stamp says (a stamp can shorten a vote's life, never lengthen
/// it). So a vote stops counting alike when its writer stops re-asserting it and when this
/// instance cannot read the store any more: an instance cut off from Redis falls back to its own
/// verdict once the others' votes are stale, and nothing stale is frozen.
/// </para>
/// </summary>
public sealed class VoteTable
{
    /// <summary>Used for members voted on without a <c>$CHECK</c> description.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    /// <summary>A vote not seen refreshed for this many freshness windows is reported by <see cref="ReplaceRemote"/> for deletion.</summary>
    public const int ForgetAfterWindows = 10;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long _origin;
    private Dictionary<MemberKey, MonitoredMember> _monitored = [];
    private readonly Dictionary<MemberKey, RemoteVote[]> _remote = [];

    /// <param name="instance">This instance's name (its own entry among the read votes is ignored).</param>
    /// <param name="time">This instance's clock: its monotonic timestamps age the votes; wall time only bounds a first-seen vote by its stamp.</param>
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

    /// <summary>
    /// Replaces the other instances' votes for <paramref name="key"/> with what was just read (this
    /// instance's own entry is ignored). A vote whose stamp or status differs from the one held is
    /// seen refreshed now; an unchanged one keeps its time; a new one is as old as its stamp says,
    /// at most (a stamp ahead of this clock counts as now).
    /// </summary>
    /// <returns>The instances whose votes were held before and not seen refreshed for
    /// <see cref="ForgetAfterWindows"/> freshness windows, for the caller to delete from the store
    /// (they stopped counting long before).</returns>
    public IReadOnlyList<string> ReplaceRemote(MemberKey key, IEnumerable<Vote> votes)
    {
        var forgetAfter = FreshnessOf(key) * ForgetAfterWindows;
        var others = votes.Where(v => !string.Equals(v.Instance, Instance, StringComparison.Ordinal)).ToList();
        var now = LocalNow;
        var wallNow = _time.GetUtcNow();
        List<string>? silent = null;
        lock (_lock)
        {
            _remote.TryGetValue(key, out var previous);
            var kept = new List<RemoteVote>(others.Count);
            foreach (var vote in others)
            {
                var seen = SeenRefreshed(previous, vote, now, wallNow, out bool firstSight);
                if (!firstSight && now - seen > forgetAfter)
                {
                    (silent ??= []).Add(vote.Instance);
                }

                // Kept even when silent (it is stale and does not count): were it dropped, a failed
                // delete would make the next read see it for the "first" time again.
                kept.Add(new RemoteVote(vote, seen));
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

        return silent ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Forgets every remote vote (used by tests and when the store is reset).</summary>
    public void ClearRemote()
    {
        lock (_lock)
        {
            _remote.Clear();
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
                list.AddRange(votes.Select(v => v.Vote));
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
                && votes.Any(v => string.Equals(v.Vote.Instance, instance, StringComparison.Ordinal) && v.Counts(now, maxAge));
        }
    }

    /// <summary>
    /// The combined verdict for <paramref name="key"/>: this instance's own verdict plus the other
    /// instances' votes that were seen refreshed within the freshness window, on this clock, now.
    /// Called again later with no read in between (the store unreachable), the others' votes
    /// age out and this instance's own verdict decides alone.
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
                    if (!vote.Counts(now, maxAge))
                    {
                        continue;
                    }

                    if (vote.Vote.Status == HealthStatus.Up)
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

    private static TimeSpan SeenRefreshed(RemoteVote[]? previous, Vote vote, TimeSpan now, DateTimeOffset wallNow, out bool firstSight)
    {
        firstSight = false;
        if (previous is not null)
        {
            foreach (var held in previous)
            {
                if (string.Equals(held.Vote.Instance, vote.Instance, StringComparison.Ordinal))
                {
                    return held.Vote == vote ? held.SeenRefreshed : now;
                }
            }
        }

        // First sight: as old as its stamp says (never "from the future"), capped so the arithmetic
        // stays in range. Not reported silent yet: a writer whose clock runs behind is told apart
        // from a dead one by the next read.
        firstSight = true;
        var age = wallNow - vote.At;
        var cap = TimeSpan.FromDays(365);
        return age <= TimeSpan.Zero ? now : now - (age > cap ? cap : age);
    }

    /// <summary>A remote vote and when, on this instance's monotonic clock, it was last seen refreshed.</summary>
    private readonly record struct RemoteVote(Vote Vote, TimeSpan SeenRefreshed)
    {
        public bool Counts(TimeSpan now, TimeSpan maxAge) => Vote.Status != HealthStatus.Unknown && now - SeenRefreshed <= maxAge;
    }
}
