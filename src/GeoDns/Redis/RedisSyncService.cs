using GeoDns.Core.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GeoDns.Redis;

/// <summary>
/// Keeps this instance and Redis in step: connects (never blocking start-up), subscribes to
/// <c>{geodns}:events</c>, and every sync tick publishes this instance's heartbeat: one command
/// while nothing changes. Changes travel as announcements (votes, overrides). After an outage (or
/// a Redis that came back empty) the first good round re-publishes own votes and overrides and
/// re-reads everything; a heartbeat showing missed announcements makes the next round re-read every vote.
/// </summary>
public sealed class RedisSyncService : BackgroundService
{
    private readonly RedisLink _link;
    private readonly RedisHealthStore _health;
    private readonly RedisOverrideStore _overrides;
    private readonly ILogger _logger;
    private ChannelMessageQueue? _queue;
    private bool _everSynced;

    public RedisSyncService(RedisLink link, RedisHealthStore health, RedisOverrideStore overrides, ILogger<RedisSyncService> logger)
    {
        _link = link;
        _health = health;
        _overrides = overrides;
        _logger = logger;
    }

    /// <summary>Completed rounds (for tests).</summary>
    public long Rounds { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();

        // Sentinels all unreachable at start: the connect itself fails (not just the link); try
        // again every round, answering from local state meanwhile.
        while (!stoppingToken.IsCancellationRequested && !await TryConnectAsync().ConfigureAwait(false))
        {
            _health.RecomputeAll();
            await _link.WaitAsync(_health.SyncInterval, stoppingToken).ConfigureAwait(false);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await RoundAsync().ConfigureAwait(false);
            await _link.WaitAsync(_health.SyncInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> TryConnectAsync()
    {
        try
        {
            await _link.ConnectAsync().ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (RedisLink.IsRedisFailure(e))
        {
            return false; // logged once per episode by the link
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Redis connection could not be set up ({Redis}); running on local state only", _link.Options.Describe());
            return true;
        }
    }

    /// <summary>One sync round; never throws.</summary>
    public async Task RoundAsync()
    {
        try
        {
            if (!_link.IsConnected)
            {
                _link.MarkFailure(null, "not connected");
            }
            else
            {
                await EnsureSubscribedAsync().ConfigureAwait(false);
                bool restoring = _link.Degraded || !_everSynced;
                if (restoring || _overrides.NeedsSync)
                {
                    await _overrides.SyncAsync().ConfigureAwait(false);
                }

                if (restoring)
                {
                    await _health.ResyncAsync().ConfigureAwait(false);
                }
                else if (_health.ReadAllRequested)
                {
                    await _health.ReadAllAsync().ConfigureAwait(false);
                }

                await _health.BeatAsync(_overrides.Fingerprint).ConfigureAwait(false);
                _health.ForgetSilent();
                _everSynced = true;
                _link.MarkSynced();
            }
        }
        catch (Exception e) when (RedisLink.IsRedisFailure(e))
        {
            _link.MarkFailure(e, "sync");
        }
        catch (Exception e)
        {
            _link.MarkFailure(e, "sync");
            _logger.LogError(e, "Shared state sync failed unexpectedly");
        }

        _health.RecomputeAll();
        _overrides.Reapply();
        Rounds++;
    }

    private async Task EnsureSubscribedAsync()
    {
        if (_queue is not null)
        {
            return;
        }

        var queue = await _link.Subscriber.SubscribeAsync(_link.EventsChannel).ConfigureAwait(false);
        queue.OnMessage(OnMessageAsync);
        _queue = queue;
    }

    private async Task OnMessageAsync(ChannelMessage message)
    {
        try
        {
            string text = message.Message.ToString();
            if (_health.TryHandleAnnouncement(text, out string? overridesSeen))
            {
                // A heartbeat naming other overrides than this instance read: an announcement was missed.
                if (overridesSeen is { Length: > 0 } && overridesSeen != _overrides.Fingerprint)
                {
                    await _overrides.SyncAsync().ConfigureAwait(false);
                }

                return;
            }

            var parts = text.Split(' ', 3);
            if (parts.Length >= 2 && parts[0] == "override" && parts[1] != _link.Instance)
            {
                await _overrides.SyncAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (RedisLink.IsRedisFailure(e))
        {
            _link.MarkFailure(e, "reading an announced change");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Handling event {Message} failed", message.Message.ToString());
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_queue is { } queue)
        {
            _queue = null;
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (RedisLink.IsRedisFailure(e))
            {
            }
        }
    }
}
