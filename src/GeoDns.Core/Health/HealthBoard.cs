using System.Collections.Concurrent;

namespace GeoDns.Core.Health;

public enum HealthStatus
{
    /// <summary>No verdict yet: counts as up so a new member serves until proven down.</summary>
    Unknown,
    Up,
    Down,
}

public enum MemberOverride
{
    Auto,
    ForceUp,
    ForceDown,
}

/// <summary>Identifies a member across reloads: the pool's owner name and the member's target as written.</summary>
public readonly record struct MemberKey(string Pool, string Member)
{
    public override string ToString() => $"{Pool}/{Member}";
}

/// <summary>
/// The live state of every member and pool, shared by the query path (reads one field per
/// member) and the health layer (checkers, votes, operator overrides), which writes each
/// input and recomputes the member's effective state. Slots outlive zone reloads, so
/// verdicts and overrides survive them.
/// </summary>
public sealed class HealthBoard
{
    private readonly ConcurrentDictionary<MemberKey, MemberSlot> _members = new();
    private readonly ConcurrentDictionary<string, PoolSlot> _pools = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _drainedRegions = new(StringComparer.Ordinal);
    private long _changes;

    /// <summary>
    /// Counts changes of anything a member's shown state is made of (verdicts, overrides, drains,
    /// pins, members added or removed): a reader that saw the same count saw the same board, so
    /// the status page's sampler skips the walk over every member while nothing changes.
    /// </summary>
    public long Changes => Volatile.Read(ref _changes);

    public MemberSlot Member(MemberKey key, string region) =>
        _members.GetOrAdd(key, static (k, state) =>
        {
            state.Board.Changed();
            return new MemberSlot(k, state.Region, state.Board);
        }, (Board: this, Region: region));

    public PoolSlot Pool(string pool) => _pools.GetOrAdd(pool, static (p, board) => new PoolSlot(p, board), this);

    public IEnumerable<MemberSlot> Members => _members.Values;

    public IEnumerable<PoolSlot> Pools => _pools.Values;

    public IReadOnlyCollection<string> DrainedRegions => _drainedRegions.Keys.ToList();

    public bool IsDrained(string region) => _drainedRegions.ContainsKey(region);

    public void SetRegionDrained(string region, bool drained)
    {
        bool changed = drained ? _drainedRegions.TryAdd(region, 0) : _drainedRegions.TryRemove(region, out _);
        if (!changed)
        {
            return;
        }

        Changed();

        foreach (var member in _members.Values.Where(m => m.Region == region))
        {
            member.Recompute();
        }
    }

    /// <summary>Forgets members no zone declares any more.</summary>
    public void Retain(IReadOnlySet<MemberKey> live)
    {
        foreach (var key in _members.Keys.Where(k => !live.Contains(k)).ToList())
        {
            _members.TryRemove(key, out _);
            Changed();
        }
    }

    internal void Changed() => Interlocked.Increment(ref _changes);
}

/// <summary>One member's inputs and the effective state the query path reads.</summary>
public sealed class MemberSlot
{
    private readonly HealthBoard _board;
    private volatile bool _usable = true;
    private volatile bool _overridden;
    private string _region;

    internal MemberSlot(MemberKey key, string region, HealthBoard board)
    {
        Key = key;
        _region = region;
        _board = board;
    }

    public MemberKey Key { get; }

    public string Region
    {
        get => Volatile.Read(ref _region);
        internal set
        {
            if (!string.Equals(Interlocked.Exchange(ref _region, value), value, StringComparison.Ordinal))
            {
                _board.Changed();
            }
        }
    }

    /// <summary>What the query path reads: may this member be handed out now?</summary>
    public bool Usable => _usable;

    /// <summary>Whether an operator drained this member's region (read by the query path only for a pinned pool).</summary>
    public bool RegionDrained => _board.IsDrained(Region);

    /// <summary>Read by the query path too: is an operator override (forced state, drained region) in force on this member?</summary>
    public bool Overridden => _overridden;

    public HealthStatus Local { get; private set; }

    public DateTimeOffset LocalSince { get; private set; }

    public string? LocalReason { get; private set; }

    /// <summary>The combined verdict of every instance's votes; equals <see cref="Local"/> without shared state.</summary>
    public HealthStatus Shared { get; private set; }

    public DateTimeOffset SharedSince { get; private set; }

    public MemberOverride Override { get; private set; }

    /// <summary>Recent probe latencies and the last error, for operators (not read by the query path).</summary>
    public ProbeHistory Probes { get; } = new();

    public void SetLocal(HealthStatus status, DateTimeOffset since, string? reason)
    {
        lock (this)
        {
            Local = status;
            LocalSince = since;
            LocalReason = reason;
        }

        _board.Changed();
    }

    public void SetShared(HealthStatus status, DateTimeOffset since)
    {
        lock (this)
        {
            if (Shared != status)
            {
                Shared = status;
                SharedSince = since;
                _board.Changed();
            }
        }

        Recompute();
    }

    public void SetOverride(MemberOverride value)
    {
        lock (this)
        {
            Override = value;
        }

        _board.Changed();
        Recompute();
    }

    /// <summary>Override beats drain beats health; a member with no verdict serves.</summary>
    public void Recompute()
    {
        bool usable;
        bool overridden;
        lock (this)
        {
            bool drained = _board.IsDrained(Region);
            usable = Override switch
            {
                MemberOverride.ForceUp => true,
                MemberOverride.ForceDown => false,
                _ => !drained && Shared != HealthStatus.Down,
            };
            overridden = Override != MemberOverride.Auto || drained;
        }

        if (overridden != _overridden || usable != _usable)
        {
            _overridden = overridden;
            _usable = usable;
            _board.Changed();
        }
    }
}

/// <summary>Per-pool operator state: a pin sends every answer to one region.</summary>
public sealed class PoolSlot(string name, HealthBoard? board = null)
{
    private volatile string? _pinnedRegion;

    public string Name { get; } = name;

    public string? PinnedRegion
    {
        get => _pinnedRegion;
        set
        {
            if (!string.Equals(_pinnedRegion, value, StringComparison.Ordinal))
            {
                _pinnedRegion = value;
                board?.Changed();
            }
        }
    }
}
