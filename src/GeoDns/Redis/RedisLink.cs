using GeoDns.Health;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GeoDns.Redis;

/// <summary>Settings of the shared store.</summary>
public sealed class RedisSharedStateOptions
{
    /// <summary>A StackExchange.Redis configuration string (host:port, password=, ssl=, user=, …).</summary>
    public required string Configuration { get; init; }

    /// <summary>This instance's name: the field its votes are stored under.</summary>
    public required string Instance { get; init; }

    /// <summary>Prefix of every key and of the events channel.</summary>
    public string Prefix { get; init; } = "geodns:";

    /// <summary>How often votes are re-asserted and everything is re-read; null derives it from the check intervals (at most 2 s).</summary>
    public TimeSpan? SyncInterval { get; init; }

    public string EventsChannel => Prefix + "events";

    public string OverridesKey => Prefix + "overrides";

    public string EpochKey => Prefix + "epoch";

    public string VotesKey(Core.Health.MemberKey key) => Prefix + "votes:" + key.Pool + " " + key.Member;

    /// <summary>Parses <see cref="Configuration"/> the way the store connects: never aborting, reconnecting every half second.</summary>
    public ConfigurationOptions ToConfigurationOptions()
    {
        var options = ConfigurationOptions.Parse(Configuration);
        options.AbortOnConnectFail = false;
        options.ClientName ??= "geodns-" + Instance;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        if (!Configuration.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.AsyncTimeout = 2000;
        }

        if (!Configuration.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.ConnectTimeout = 2000;
        }

        return options;
    }
}

/// <summary>
/// The connection to Redis and the degraded-state bookkeeping. Redis down is never an error
/// that escapes: it is logged once per episode, counted, and the store keeps serving from
/// what it last knew.
/// </summary>
public sealed class RedisLink : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private ConnectionMultiplexer? _multiplexer;
    private long _degradedEpisodes;
    private long _failedOperations;
    private long _degradedSinceTicks;
    private long _lastSyncTicks;
    private volatile bool _degraded;
    private volatile bool _closing;

    public RedisLink(RedisSharedStateOptions options, TimeProvider time, ILogger<RedisLink> logger)
    {
        Options = options;
        _time = time;
        _logger = logger;
    }

    public RedisSharedStateOptions Options { get; }

    public string Instance => Options.Instance;

    public bool IsConnected => _multiplexer?.IsConnected == true;

    /// <summary>True from the first failure until a full resync succeeds.</summary>
    public bool Degraded => _degraded;

    /// <summary>How many times the store went from healthy to degraded (a metrics counter).</summary>
    public long DegradedEpisodes => Interlocked.Read(ref _degradedEpisodes);

    /// <summary>Redis operations that failed (a metrics counter).</summary>
    public long FailedOperations => Interlocked.Read(ref _failedOperations);

    public DateTimeOffset? DegradedSince => Ticks(Interlocked.Read(ref _degradedSinceTicks));

    /// <summary>When votes were last read successfully.</summary>
    public DateTimeOffset? LastSync => Ticks(Interlocked.Read(ref _lastSyncTicks));

    public IDatabase Database => _multiplexer?.GetDatabase() ?? throw new RedisException("Redis connection not started");

    public ISubscriber Subscriber => _multiplexer?.GetSubscriber() ?? throw new RedisException("Redis connection not started");

    public RedisChannel EventsChannel => RedisChannel.Literal(Options.EventsChannel);

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>This instance's clock (other instances' votes age on it, also while Redis is unreachable).</summary>
    public TimeProvider Time => _time;

    public SharedStateReport Report() => new("redis", Instance, IsConnected, Degraded, DegradedSince,
        DegradedEpisodes, FailedOperations, LastSync);

    /// <summary>Starts connecting; returns at once if Redis is down (the multiplexer keeps retrying).</summary>
    public async Task ConnectAsync()
    {
        if (_multiplexer is not null)
        {
            return;
        }

        var options = Options.ToConfigurationOptions();
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) =>
        {
            if (!_closing)
            {
                RedisLog.ConnectionLost(_logger, e.EndPoint?.ToString(), e.ConnectionType.ToString(), e.FailureType.ToString());
            }

            MarkFailure(null, $"{e.ConnectionType} connection to {e.EndPoint} lost: {e.FailureType}");
            Wake();
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            RedisLog.ConnectionRestored(_logger, e.EndPoint?.ToString(), e.ConnectionType.ToString());
            Wake();
        };
        _multiplexer = multiplexer;
        if (!multiplexer.IsConnected)
        {
            MarkFailure(null, $"cannot connect to {Options.Configuration.Split(',')[0]} at start");
        }
        else
        {
            RedisLog.Connected(_logger, string.Join(", ", multiplexer.GetEndPoints().Select(e => e.ToString())));
        }
    }

    /// <summary>Counts a failed operation and enters the degraded state (logged once per episode).</summary>
    public void MarkFailure(Exception? error, string what)
    {
        if (_closing)
        {
            return;
        }

        Interlocked.Increment(ref _failedOperations);
        if (_degraded)
        {
            _logger.LogDebug(error, "Redis still unreachable: {What}", what);
            return;
        }

        _degraded = true;
        Interlocked.Exchange(ref _degradedSinceTicks, Now.UtcTicks);
        Interlocked.Increment(ref _degradedEpisodes);
        RedisLog.Degraded(_logger, what, error is null ? "" : ": " + error.GetType().Name + ": " + error.Message.Split(',')[0]);
    }

    /// <summary>Records a successful full resync. Returns true when it ended a degraded episode.</summary>
    public bool MarkSynced()
    {
        Interlocked.Exchange(ref _lastSyncTicks, Now.UtcTicks);
        if (!_degraded)
        {
            return false;
        }

        _degraded = false;
        var since = DegradedSince;
        RedisLog.Healthy(_logger, since is null ? 0 : (Now - since.Value).TotalSeconds);
        return true;
    }

    /// <summary>Asks the sync loop to run now instead of at its next tick.</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>Waits for <see cref="Wake"/> or the timeout.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _wake.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static bool IsRedisFailure(Exception e) =>
        e is RedisException or TimeoutException or ObjectDisposedException or OperationCanceledException;

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        if (_multiplexer is { } multiplexer)
        {
            _multiplexer = null;
            await multiplexer.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        _wake.Dispose();
    }

    private static DateTimeOffset? Ticks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
