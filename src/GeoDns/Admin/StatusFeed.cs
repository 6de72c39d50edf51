using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading.Channels;
using GeoDns.Core.Health;
using GeoDns.Core.Lookup;
using GeoDns.Health;
using Microsoft.Extensions.Logging;

namespace GeoDns.Admin;

/// <summary>One event of the status feed: a member transition, an override change, a reload or a Redis change.</summary>
/// <param name="Kind"><c>transition</c>, <c>override</c>, <c>reload</c> or <c>redis</c> (the SSE event name).</param>
/// <param name="Json">The event's data, one JSON object.</param>
public sealed record FeedEvent(string Kind, string Json);

/// <summary>A member's visible state changing, as the status page lists it.</summary>
public sealed record MemberTransition(DateTimeOffset At, string Pool, string Member, string Region, string From, string To, string? Reason);

/// <summary>A zone served now, with the time this host first saw that version serve.</summary>
public sealed record ServedZoneInfo(string Zone, uint Serial, DateTimeOffset Since);

/// <summary>
/// What the status page and <c>GET /api/v1/events</c> read: it samples the health board, the
/// overrides, the shared-state report and the served snapshot every <c>interval</c> and turns
/// each difference into a <see cref="FeedEvent"/>. Keeps the last <see cref="TransitionCapacity"/>
/// member transitions. Each subscriber gets a bounded queue that drops its oldest event when
/// full, so a slow client never holds up the sampler or another client.
/// </summary>
/// <remarks>
/// Sampling keeps the feed out of the query and health paths (nothing there changes); an event
/// is seen at most one interval late. A zone's "since" is when this host first saw its version
/// serve: the time of the reload within one interval, or the admin API's start for the first load.
/// </remarks>
public sealed class StatusFeed : IAsyncDisposable
{
    public const int TransitionCapacity = 200;
    public const int QueueCapacity = 256;
    public const int MaxSubscribers = 32;

    /// <summary>The state texts, filled as met: 3 statuses x 3 overrides x drained x 3 pin cases x usable.</summary>
    private static readonly string?[] StateTexts = new string?[3 * 3 * 2 * 3 * 2];

    private readonly HealthBoard _board;
    private readonly IOverrideStore _overrides;
    private readonly ISharedStateView _view;
    private readonly IServedZones? _zones;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly Queue<MemberTransition> _transitions = new();
    private readonly List<Channel<FeedEvent>> _subscribers = [];
    private readonly Dictionary<MemberKey, (string Region, string State)> _members = [];
    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<ServedZoneInfo> _served = [];
    private Snapshot? _snapshot;
    private OverrideState? _overrideState;
    private (bool Connected, bool Degraded)? _redis;
    private long _boardChanges = -1;
    private Task? _loop;

    public StatusFeed(HealthBoard board, IOverrideStore overrides, ISharedStateView view, IServedZones? zones,
        TimeProvider time, TimeSpan interval, ILogger logger)
    {
        _board = board;
        _overrides = overrides;
        _view = view;
        _zones = zones;
        _time = time;
        _interval = interval;
        _logger = logger;
    }

    /// <summary>The last member transitions, oldest first.</summary>
    public IReadOnlyList<MemberTransition> Transitions
    {
        get
        {
            lock (_transitions)
            {
                return _transitions.ToList();
            }
        }
    }

    /// <summary>The zones served at the last sample.</summary>
    public IReadOnlyList<ServedZoneInfo> Zones => Volatile.Read(ref _served);

    /// <summary>Takes the first sample (no events) and starts sampling.</summary>
    public void Start()
    {
        Sample();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>A new subscriber's queue, or null when <see cref="MaxSubscribers"/> are already connected.</summary>
    public Channel<FeedEvent>? Subscribe()
    {
        var channel = Channel.CreateBounded<FeedEvent>(new BoundedChannelOptions(QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });
        lock (_subscribers)
        {
            if (_subscribers.Count >= MaxSubscribers)
            {
                return null;
            }

            _subscribers.Add(channel);
        }

        return channel;
    }

    public void Unsubscribe(Channel<FeedEvent> channel)
    {
        lock (_subscribers)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    Sample();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogWarning(e, "Status feed: sampling failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One sample: compares with the previous one and publishes every difference (none on the first).</summary>
    internal void Sample()
    {
        bool first = _redis is null;
        var now = _time.GetUtcNow();
        var events = new List<FeedEvent>();

        // Every member, but only when the board changed since the last sample (a verdict, an
        // override, a drain, a pin, a member added or gone): no allocation per member unless its
        // state changed, and no walk at all while health is steady.
        long changes = _board.Changes;
        if (changes != _boardChanges)
        {
            _boardChanges = changes;
            SampleMembers(now, events);
        }

        var overrideState = _overrides.Current;
        if (!ReferenceEquals(overrideState, _overrideState))
        {
            if (!first)
            {
                events.Add(new FeedEvent("override", JsonSerializer.Serialize(AdminApi.Overrides(overrideState), AdminJson.Default.OverridesBody)));
            }

            _overrideState = overrideState;
        }

        var report = _view.Report();
        var redis = (report.Connected, report.Degraded);
        if (!first && _redis != redis)
        {
            events.Add(new FeedEvent("redis", JsonSerializer.Serialize(
                new RedisEvent(now, report.Mode, report.Connected, report.Degraded), AdminJson.Default.RedisEvent)));
        }

        _redis = redis;

        if (_zones is not null)
        {
            var snapshot = _zones.Served().Snapshot;
            if (!ReferenceEquals(snapshot, _snapshot))
            {
                var previous = _served.ToDictionary(z => z.Zone, StringComparer.Ordinal);
                var served = snapshot.Zones.Select(z =>
                {
                    string name = z.Apex.ToString();
                    return previous.TryGetValue(name, out var was) && was.Serial == z.Serial ? was : new ServedZoneInfo(name, z.Serial, now);
                }).OrderBy(z => z.Zone, StringComparer.Ordinal).ToList();
                if (!first)
                {
                    events.Add(new FeedEvent("reload", JsonSerializer.Serialize(new ReloadEvent(now, served), AdminJson.Default.ReloadEvent)));
                }

                _snapshot = snapshot;
                Volatile.Write(ref _served, served);
            }
        }

        Publish(events);
    }

    private void Publish(List<FeedEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        lock (_subscribers)
        {
            foreach (var subscriber in _subscribers)
            {
                foreach (var e in events)
                {
                    subscriber.Writer.TryWrite(e); // drops the oldest when full; never waits
                }
            }
        }
    }

    /// <summary>Compares every member's state with the last sample's and adds a transition event for each change.</summary>
    private void SampleMembers(DateTimeOffset now, List<FeedEvent> events)
    {
        Dictionary<string, string>? pins = null;
        foreach (var pool in _board.Pools)
        {
            if (pool.PinnedRegion is { } pinned)
            {
                (pins ??= new(StringComparer.Ordinal))[pool.Name] = pinned;
            }
        }

        bool anyDrained = _board.DrainedRegions.Count > 0;
        foreach (var member in _board.Members)
        {
            string state = StateText(member, pins?.GetValueOrDefault(member.Key.Pool), anyDrained && member.RegionDrained);
            ref var known = ref CollectionsMarshal.GetValueRefOrAddDefault(_members, member.Key, out bool seen);
            var before = known;
            if (seen && before.State != state)
            {
                var transition = new MemberTransition(now, member.Key.Pool, member.Key.Member, member.Region, before.State, state,
                    Reason(before.State, state, member));
                lock (_transitions)
                {
                    _transitions.Enqueue(transition);
                    while (_transitions.Count > TransitionCapacity)
                    {
                        _transitions.Dequeue();
                    }
                }

                events.Add(new FeedEvent("transition", JsonSerializer.Serialize(transition, AdminJson.Default.MemberTransition)));
            }

            known = (member.Region, state);
        }
    }

    /// <summary>The state the page shows: health, then whether it serves and why not (one string per combination, made once).</summary>
    /// <param name="drained">Whether the member's region is drained (looked up only when some region is).</param>
    internal static string StateText(MemberSlot member, string? pinnedRegion, bool drained)
    {
        int pin = pinnedRegion is null ? 0 : pinnedRegion == member.Region ? 1 : 2;
        int code = ((((((int)member.Shared * 3) + (int)member.Override) * 2) + (drained ? 1 : 0)) * 3 + pin) * 2 + (member.Usable ? 1 : 0);
        if ((uint)code >= (uint)StateTexts.Length)
        {
            return ComposeStateText(member, pinnedRegion, drained);
        }

        return StateTexts[code] ??= ComposeStateText(member, pinnedRegion, drained);
    }

    private static string ComposeStateText(MemberSlot member, string? pinnedRegion, bool drained)
    {
        string text = Vote.StatusText(member.Shared);
        if (member.Override != MemberOverride.Auto)
        {
            text += member.Override == MemberOverride.ForceUp ? ", forced up" : ", forced down";
        }

        if (drained)
        {
            text += ", drained";
        }

        if (pinnedRegion is not null)
        {
            text += pinnedRegion == member.Region ? ", pinned here" : ", pinned elsewhere";
        }

        return text + (member.Usable ? ", serving" : ", not serving");
    }

    /// <summary>Why the state changed: the operator's action when a flag changed, else the last check result.</summary>
    private static string? Reason(string before, string after, MemberSlot member)
    {
        foreach (var (flag, set, cleared) in new[]
        {
            (", drained", "region drained by an operator", "region undrained by an operator"),
            (", forced down", "forced down by an operator", "force down lifted"),
            (", forced up", "forced up by an operator", "force up lifted"),
            (", pinned", "pool pinned by an operator", "pool unpinned by an operator"),
        })
        {
            bool was = before.Contains(flag, StringComparison.Ordinal), now = after.Contains(flag, StringComparison.Ordinal);
            if (was != now)
            {
                return now ? set : cleared;
            }
        }

        return member.LocalReason;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        lock (_subscribers)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryComplete();
            }

            _subscribers.Clear();
        }

        _stop.Dispose();
    }
}
