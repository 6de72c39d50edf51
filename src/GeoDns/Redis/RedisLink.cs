using GeoDns.Health;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GeoDns.Redis;

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

    /// <summary>
    /// Starts connecting; returns at once if Redis is down (the multiplexer keeps retrying). With
    /// sentinels, a first connect that reaches none of them (or no primary) throws: the caller
    /// retries on its next round.
    /// </summary>
    public async Task ConnectAsync()
    {
        if (_multiplexer is not null)
        {
            return;
        }

        var options = Options.ToConfigurationOptions();
        ConnectionMultiplexer multiplexer;
        using var connectLog = new StringWriter(System.Globalization.CultureInfo.InvariantCulture); // read only for why a first connect failed
        try
        {
            multiplexer = await ConnectionMultiplexer.ConnectAsync(options, connectLog).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            MarkFailure(e, $"cannot connect to {Options.Describe()} at start{FirstFailure(connectLog.ToString())}");
            throw;
        }

        multiplexer.ConnectionFailed += (_, e) =>
        {
            // Once per episode at warning level (a wrong password fails every reconnect, every half second).
            if (!_closing && !_degraded)
            {
                RedisLog.ConnectionLost(_logger, RedisSharedStateOptions.EndPointText(e.EndPoint), e.ConnectionType.ToString(), e.FailureType.ToString());
            }
            else if (!_closing)
            {
                _logger.LogDebug("Redis connection to {EndPoint} ({Type}) failed again: {Failure}",
                    RedisSharedStateOptions.EndPointText(e.EndPoint), e.ConnectionType, e.FailureType);
            }

            MarkFailure(null, $"{e.ConnectionType} connection to {RedisSharedStateOptions.EndPointText(e.EndPoint)} lost: {FailureText(e.FailureType)}");
            Wake();
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            RedisLog.ConnectionRestored(_logger, RedisSharedStateOptions.EndPointText(e.EndPoint), e.ConnectionType.ToString());
            Wake();
        };
        _multiplexer = multiplexer;
        if (!multiplexer.IsConnected)
        {
            MarkFailure(null, $"cannot connect to {Options.Describe()} at start{FirstFailure(connectLog.ToString())}");
        }
        else
        {
            RedisLog.Connected(_logger, Options.Describe(), string.Join(",", multiplexer.GetEndPoints().Select(RedisSharedStateOptions.EndPointText)));
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

    /// <summary>
    /// Why the first connect failed, from StackExchange.Redis's connect log ("Connection failed:
    /// ENDPOINT (Interactive, AuthenticationFailure)"; it masks the password): ": REASON", or empty.
    /// </summary>
    private static string FirstFailure(string connectLog)
    {
        var match = System.Text.RegularExpressions.Regex.Match(connectLog, @"Connection failed: \S+ \((?:Interactive|Subscription), (\w+)\)");
        return match.Success && Enum.TryParse<ConnectionFailureType>(match.Groups[1].Value, out var failure) ? ": " + FailureText(failure) : "";
    }

    /// <summary>The failure type, with what to check when it is the credentials.</summary>
    private static string FailureText(ConnectionFailureType failure) => failure == ConnectionFailureType.AuthenticationFailure
        ? "AuthenticationFailure (refused: check user= and password= of --redis; with TLS, the certificate and --redis-ca-file)"
        : failure.ToString();

    private static DateTimeOffset? Ticks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
