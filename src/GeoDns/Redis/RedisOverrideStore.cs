using GeoDns.Core.Health;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GeoDns.Redis;

/// <summary>
/// Operator overrides shared through Redis: the hash <c>{geodns}:overrides</c> is the source of
/// truth (one field per override, see <see cref="OverrideChange"/>), <c>{geodns}:epoch</c> marks
/// that the hash has been initialised, and every change is announced on <c>{geodns}:events</c>
/// (<c>override INSTANCE</c>) so every instance re-reads the hash at once.
/// <para>
/// Redis restarted empty (no epoch): the first instance that reconnects and knows the shared
/// overrides stores the set it last knew, atomically, with a new epoch; the others then adopt it.
/// Seeding only fills fields that are absent, so a change written since the restart is kept.
/// An instance that does not know them (started while Redis was down, and has not yet read a
/// hash with an epoch) does not seed, not even when it flushes a change made during the outage,
/// so it cannot wipe what the others know; if no one seeds within <see cref="UnseededGrace"/>
/// (the whole fleet restarted during the outage) it seeds itself. A change made while Redis is
/// unreachable applies on this instance at once and is written when Redis returns (later writes win).
/// </para>
/// </summary>
public sealed class RedisOverrideStore : IOverrideStore
{
    // KEYS: epoch, overrides. ARGV: candidate epoch, channel, message, allow seed (1/0),
    // field ('' = none), value ('' = delete), then seed field/value pairs.
    private const string Script = """
        local existed = redis.call('EXISTS', KEYS[1])
        local seeded = 0
        if existed == 0 and ARGV[4] == '1' then
          for i = 7, #ARGV, 2 do redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) end
          redis.call('SET', KEYS[1], ARGV[1])
          seeded = 1
        end
        if ARGV[5] ~= '' then
          if ARGV[6] == '' then redis.call('HDEL', KEYS[2], ARGV[5]) else redis.call('HSET', KEYS[2], ARGV[5], ARGV[6]) end
        end
        if seeded == 1 or ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
        return { seeded, redis.call('HGETALL', KEYS[2]), existed }
        """;

    private readonly HealthBoard _board;
    private readonly RedisLink _link;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _applyLock = new();
    private readonly List<OverrideChange> _pending = [];
    private OverrideState _shared = OverrideState.Empty;
    private string _fingerprint = FingerprintOf(OverrideState.Empty);
    private OverrideState _current = OverrideState.Empty;
    private bool _knowsShared;
    private DateTimeOffset? _unseededSince;
    private bool _changedBeforeKnowing;

    /// <summary>
    /// How long an instance that does not know the shared overrides waits for one that does to
    /// seed an empty Redis before it seeds it itself.
    /// </summary>
    public static readonly TimeSpan UnseededGrace = TimeSpan.FromSeconds(10);

    public RedisOverrideStore(HealthBoard board, RedisLink link, ILogger<RedisOverrideStore> logger)
    {
        _board = board;
        _link = link;
        _logger = logger;
    }

    public OverrideState Current => Volatile.Read(ref _current);

    /// <summary>Changes made while Redis was unreachable, not yet stored.</summary>
    public int PendingCount
    {
        get
        {
            lock (_applyLock)
            {
                return _pending.Count;
            }
        }
    }

    public async Task<OverrideResult> ApplyAsync(OverrideChange change, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_link.IsConnected)
            {
                try
                {
                    await FlushPendingAsync().ConfigureAwait(false);
                    await RunAsync(change).ConfigureAwait(false);
                    _logger.LogInformation("Override {Change} stored in Redis and announced", change);
                    return new OverrideResult(true, $"{change}: stored in Redis and announced to every instance");
                }
                catch (Exception e) when (RedisLink.IsRedisFailure(e))
                {
                    _link.MarkFailure(e, $"storing override {change}");
                }
            }

            lock (_applyLock)
            {
                _changedBeforeKnowing |= !_knowsShared;
                _pending.Add(change);
                SetCurrent(Compose(_shared));
            }

            _logger.LogWarning("Override {Change} applied on this instance only: Redis unreachable; it will be stored when Redis returns", change);
            return new OverrideResult(false,
                $"{change}: applied on this instance only; Redis is unreachable, the change will be stored and announced when it returns");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// True while the next sync round must run the override script although nothing was announced:
    /// changes made while Redis was unreachable wait to be stored, or the shared set is not known yet.
    /// </summary>
    public bool NeedsSync
    {
        get
        {
            lock (_applyLock)
            {
                return _pending.Count > 0 || !_knowsShared;
            }
        }
    }

    /// <summary>
    /// A short digest of the overrides last read from Redis. Heartbeats carry it: an instance that
    /// hears a digest other than its own missed an announcement and re-reads the overrides.
    /// </summary>
    public string Fingerprint => Volatile.Read(ref _fingerprint);

    public void Reapply()
    {
        lock (_applyLock)
        {
            OverrideApplier.Apply(_board, _current);
        }
    }

    /// <summary>Stores pending changes, then reads the shared set (seeding an empty Redis). Throws when Redis fails.</summary>
    public async Task SyncAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await FlushPendingAsync().ConfigureAwait(false);
            await RunAsync(null).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task FlushPendingAsync()
    {
        while (true)
        {
            OverrideChange next;
            lock (_applyLock)
            {
                if (_pending.Count == 0)
                {
                    return;
                }

                next = _pending[0];
            }

            await RunAsync(next).ConfigureAwait(false);
            lock (_applyLock)
            {
                _pending.RemoveAt(0);
                SetCurrent(Compose(_shared));
            }

            _logger.LogInformation("Override {Change}, made while Redis was unreachable, now stored and announced", next);
        }
    }

    private async Task RunAsync(OverrideChange? change)
    {
        OverrideState seed;
        bool allowSeed;
        lock (_applyLock)
        {
            seed = _current;
            allowSeed = _knowsShared;
        }

        var args = new List<RedisValue>
        {
            Guid.NewGuid().ToString("N"),
            _link.Options.EventsChannel,
            "override " + _link.Instance,
            allowSeed ? "1" : "0",
            change?.Field ?? string.Empty,
            change?.Value ?? string.Empty,
        };
        foreach (var (field, value) in seed.ToFields())
        {
            args.Add(field);
            args.Add(value);
        }

        var result = await _link.Database.ScriptEvaluateAsync(Script,
            [_link.Options.EpochKey, _link.Options.OverridesKey], [.. args]).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        bool seeded = (long)parts[0] == 1;
        bool epochExisted = (long)parts[2] == 1;
        var flat = (RedisResult[])parts[1]!;
        var fields = new List<KeyValuePair<string, string>>(flat.Length / 2);
        for (int i = 0; i + 1 < flat.Length; i += 2)
        {
            fields.Add(new(flat[i].ToString(), flat[i + 1].ToString()));
        }

        var shared = OverrideState.FromFields(fields);
        if (seeded && !seed.IsEmpty)
        {
            _logger.LogWarning("Redis held no GeoDns overrides (restarted empty?): stored the {Count} this instance knew: {Overrides}",
                seed.ToFields().Count(), seed);
        }

        lock (_applyLock)
        {
            if (!_knowsShared)
            {
                // Knowing the shared set: read it with an epoch, seeded it, or met Redis at start without
                // an outage and without changes queued before (a new Redis: nothing to lose). An instance
                // started during an outage that finds Redis empty waits for one that knows, at most UnseededGrace.
                var now = _link.Now;
                _unseededSince ??= now;
                _knowsShared = epochExisted || seeded || (_link.DegradedEpisodes == 0 && !_changedBeforeKnowing)
                    || now - _unseededSince.Value >= UnseededGrace;
            }

            var before = _current;
            _shared = shared;
            _fingerprint = FingerprintOf(shared);
            SetCurrent(Compose(shared));
            if (!before.SameAs(_current))
            {
                _logger.LogInformation("Overrides in force: {Overrides}", _current.IsEmpty ? "none" : _current.ToString());
            }
        }
    }

    /// <summary>FNV-1a (64 bits) over the fields in their stored order, in hex.</summary>
    private static string FingerprintOf(OverrideState state)
    {
        ulong hash = 14695981039346656037;
        foreach (var (field, value) in state.ToFields().OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            foreach (char c in string.Concat(field, "=", value, "\n"))
            {
                hash = (hash ^ c) * 1099511628211;
            }
        }

        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    private OverrideState Compose(OverrideState shared)
    {
        var state = shared;
        foreach (var change in _pending)
        {
            state = state.With(change);
        }

        return state;
    }

    private void SetCurrent(OverrideState state)
    {
        Volatile.Write(ref _current, state);
        OverrideApplier.Apply(_board, state);
    }
}
