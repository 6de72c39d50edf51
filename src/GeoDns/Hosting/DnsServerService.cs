using System.Net;
using System.Runtime.InteropServices;
using GeoDns.Health;
using GeoDns.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>
/// Loads the zones, starts the UDP and TCP listeners (bound earlier by <see cref="DnsListeners"/>),
/// and reloads on SIGHUP or file changes.
/// Ready (for <c>/readyz</c>) from the moment the listeners answer until the host stops.
/// </summary>
public sealed class DnsServerService : IHostedService, IDisposable, IReadinessCheck
{
    private readonly GeoDnsOptions _options;
    private readonly ZoneStore _zones;
    private readonly HealthMonitor _health;
    private readonly DnsListeners _listeners;
    private readonly ILogger<DnsServerService> _logger;
    private PosixSignalRegistration? _hangup;
    private ZoneWatcher? _watcher;
    private volatile bool _answering;

    /// <param name="listeners">The DNS sockets, already bound; they start answering once the zones and the first health round are in.</param>
    public DnsServerService(GeoDnsOptions options, ZoneStore zones, HealthMonitor health, DnsListeners listeners,
        ILoggerFactory loggers)
    {
        _health = health;
        _options = options;
        _zones = zones;
        _listeners = listeners;
        _logger = loggers.CreateLogger<DnsServerService>();
    }

    public IReadOnlyList<IPEndPoint> UdpEndPoints { get; private set; } = [];

    public string Name => "dns";

    /// <summary>True once zones are loaded, the first round of health checks decided and every listener answers.</summary>
    public bool Ready => _answering;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(_zones.Directory))
        {
            throw new InvalidOperationException($"zones folder '{Path.GetFullPath(_zones.Directory)}' does not exist");
        }

        using (LoadWithoutCollections())
        {
            _zones.Reload("start");
        }

        // Loading a large zone leaves the heap at the loader's peak (1M records: ~1 GB resident
        // for ~0.6 GB of live snapshot). One compacting collection before serving returns the
        // rest to the OS; nothing is answered yet, so its pause costs no query.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        // The first ephemeral collection after that one, and the first background one, stop every
        // thread for 0.15-0.6 s (1M records) whatever they find (whichever comes first pays most
        // of it). Both start now, before the first answer, instead of inside the first reload; the
        // background one's concurrent part goes on while serving, and the memory it frees is
        // handed back in small steps (ReloadCollections).
        GC.Collect(0);
        _ = ReloadCollections.CollectOldAndSettle();

        // The first round of health checks decides before the first answer (bounded by the longest timeout).
        await _health.FirstRoundCompleted.WaitAsync(cancellationToken).ConfigureAwait(false);
        // SIGHUP is taken before "Answering DNS" is logged: whoever waits for that line may reload at once.
        _hangup = HangupSignal.Take(context =>
        {
            context.Cancel = true;
            ThreadPool.QueueUserWorkItem(_ => _zones.Reload("SIGHUP"));
        }, out bool hangupWasIgnored);
        if (hangupWasIgnored)
        {
            _logger.LogInformation("SIGHUP was ignored when GeoDns started (nohup?): taken back, so kill -HUP reloads the zones");
        }

        int threads = _options.UdpThreadCount();
        // Says whether TCP completions run inline: the switch is found by reflection, and a build
        // that lost it (trimming) would still serve, only with a context switch more per query.
        string tcp = SocketInlineCompletions.Available ? "TCP with inline completions" : "TCP";
        _listeners.Start(threads, endpoint =>
            _logger.LogInformation("Answering DNS on {Endpoint} (UDP, {Threads} threads; {Tcp})", endpoint, threads, tcp));
        UdpEndPoints = _listeners.UdpEndPoints;
        _answering = true;
        if (_options.WatchZones)
        {
            _watcher = new ZoneWatcher(_zones.Directory, () => _zones.Reload("file change"), _logger);
        }
    }

    /// <summary>
    /// The first load answers nobody yet, so it may run without garbage collections (a large
    /// zone otherwise spends a third of its load time in them); memory is returned right after.
    /// </summary>
    private IDisposable? LoadWithoutCollections()
    {
        long zoneBytes = new DirectoryInfo(_zones.Directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        long budget = Math.Max(zoneBytes * 64, 16L << 20);
        if (budget > GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4)
        {
            return null;
        }

        try
        {
            return GC.TryStartNoGCRegion(budget) ? new NoGcRegion() : null;
        }
        catch (ArgumentOutOfRangeException)
        {
            return null; // more than the runtime allows: load with collections as usual
        }
    }

    private sealed class NoGcRegion : IDisposable
    {
        public void Dispose()
        {
            if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        _logger.LogInformation("Stopped answering DNS");
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _answering = false;
        _hangup?.Dispose();
        _hangup = null;
        _watcher?.Dispose();
        _watcher = null;
        _listeners.Dispose();
    }
}
