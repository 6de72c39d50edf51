using GeoDns.Core;
using GeoDns.Core.Lookup;
using GeoDns.Core.Transfers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GeoDns.Transfers;

/// <summary>
/// Moves the SOA serial of every zone with a transfer rule on whenever what a secondary would
/// receive changes — a reload, a health transition, a drain, a forced state, a pin — and sends
/// NOTIFY. It watches the served snapshot (every 50 ms: a reload shows as a new zone object,
/// everything else as a new <see cref="ZoneView.PoolFingerprint"/>), so it needs no hook in the
/// health or override code. Changes are coalesced: a new serial once the view has been still
/// for <see cref="Quiet"/> (at most <see cref="MaxDelay"/> after the first change), so a flapping
/// member cannot flood the secondaries. Serial rule: max(file serial, Unix time, last + 1).
/// </summary>
public sealed class SerialKeeper : BackgroundService
{
    private const string ZoneLoaded = "zone loaded";

    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    private readonly QueryProcessor _processor;
    private readonly TransferPolicy _policy;
    private readonly IZoneRebuilder _rebuilder;
    private readonly TimeProvider _time;
    private readonly ILogger<SerialKeeper> _logger;
    private readonly NotifySender _notify;
    private readonly ZoneVersions _versions;
    private readonly Dictionary<string, ZoneState> _zones = new(StringComparer.Ordinal);

    public SerialKeeper(QueryProcessor processor, TransferPolicy policy, IZoneRebuilder rebuilder, ZoneVersions versions, TimeProvider time,
        ILogger<SerialKeeper> logger)
    {
        _versions = versions;
        _processor = processor;
        _policy = policy;
        _rebuilder = rebuilder;
        _time = time;
        _logger = logger;
        _notify = new NotifySender(time, logger);
    }

    /// <summary>The serial after <paramref name="last"/> (0: none yet) for a zone whose file says <paramref name="fileSerial"/>.</summary>
    public static uint NextSerial(uint fileSerial, uint last, long unixNow) =>
        Math.Max(Math.Max(fileSerial, (uint)Math.Clamp(unixNow, 0, uint.MaxValue)), last == 0 ? 0 : last + 1);

    public override void Dispose()
    {
        _notify.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Poll, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            foreach (var rule in _policy.Rules)
            {
                try
                {
                    Check(rule);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogError(e, "Serial of zone {Zone}: could not be moved on", rule.Zone);
                }
            }
        }
    }

    private void Check(ZoneTransferRule rule)
    {
        if (_processor.Snapshot.Find(rule.Zone.Key) is not { Source: { } file } zone)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (!_zones.TryGetValue(rule.Zone.Key, out var state))
        {
            state = new ZoneState();
            _zones[rule.Zone.Key] = state;
            uint fileSerial = ZoneView.SerialOf(file.Soa);
            if (fileSerial > now.ToUnixTimeSeconds())
            {
                TransferLog.SerialAheadOfClock(_logger, rule.Zone.ToString(), fileSerial, now.ToUnixTimeSeconds());
            }
        }

        if (!ReferenceEquals(zone, state.Seen))
        {
            // A reload (or the first load): its file serial is served until this moves it on, at once.
            Commit(rule, zone, state, ZoneLoaded, now);
            return;
        }

        ulong fingerprint = ZoneView.PoolFingerprint(zone);
        if (fingerprint != state.Fingerprint)
        {
            state.Fingerprint = fingerprint;
            state.LastChange = now;
            state.PendingSince ??= now;
        }

        if (state.PendingSince is { } since && (now - state.LastChange >= Quiet || now - since >= MaxDelay))
        {
            Commit(rule, zone, state, "pool answers changed", now);
        }
    }

    private void Commit(ZoneTransferRule rule, Zone zone, ZoneState state, string reason, DateTimeOffset now)
    {
        uint serial = NextSerial(ZoneView.SerialOf(zone.Source!.Soa), state.Serial, now.ToUnixTimeSeconds());
        if (serial != zone.Serial && !_rebuilder.Reserial(zone, serial))
        {
            return; // replaced by a reload meanwhile: the next round sees it
        }

        var served = _processor.Snapshot.Find(rule.Zone.Key)!;
        state.Seen = served;
        state.Serial = serial;
        state.Fingerprint = ZoneView.PoolFingerprint(served);
        state.PendingSince = null;
        _versions.Record(new ZoneVersion(served, serial, ZoneView.PoolRecords(served)), reloaded: reason == ZoneLoaded);
        TransferLog.NewSerial(_logger, rule.Zone.ToString(), serial, reason);
        _notify.Notify(rule, ZoneView.WithSerial(served.Source!.Soa, serial), serial);
    }

    private sealed class ZoneState
    {
        public Zone? Seen { get; set; }

        public uint Serial { get; set; }

        public ulong Fingerprint { get; set; }

        public DateTimeOffset LastChange { get; set; }

        public DateTimeOffset? PendingSince { get; set; }
    }
}
