using System.Runtime;

namespace GeoDns.Hosting;

/// <summary>
/// Keeps a reload's garbage collections short, since each one stops every thread, UDP
/// included (bench/README.md, "Reload stall"). Two things made them long:
/// <list type="bullet">
/// <item>A reload of a large zone promotes the whole new zone into gen2 while the old one is still
/// served, which set off a background gen2 collection in the middle of the build, and every
/// gen0/gen1 collection beside it stopped the process about twice as long. In the low-latency
/// mode gen2 waits (unless memory runs short); once the new zone is served, one background
/// collection frees the old one while nothing allocates.</item>
/// <item>The collector gives freed memory back to the system inside its next collection, 160 KB
/// for each millisecond since it last did (up to 10 s): after a quiet spell the first collection
/// of a reload unmapped a whole old zone (1M records: 15-40 ms). After a reload, a collection
/// every <see cref="SettleStep"/> hands it back in small steps instead, until it is all back.</item>
/// </list>
/// </summary>
internal sealed class ReloadCollections : IDisposable
{
    /// <summary>The collector's own decommit step (DECOMMIT_TIME_STEP_MILLISECONDS): 16 MB each.</summary>
    internal static readonly TimeSpan SettleStep = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the steps go on at most (10 s: the longest the collector counts).</summary>
    internal const int MaxSettleSteps = 100;

    /// <summary>Steps without a fall of the committed memory after which all of it is back.</summary>
    internal const int QuietSteps = 5;

    private static int s_generation;
    private readonly GCLatencyMode _previous;

    private ReloadCollections()
    {
        Interlocked.Increment(ref s_generation); // a settle still running stops: this build collects on its own
        _previous = GCSettings.LatencyMode;
        GCSettings.LatencyMode = GCLatencyMode.LowLatency;
    }

    /// <summary>Starts the window; null when the mode cannot change (a no-GC region, or server GC, which has no low-latency mode).</summary>
    public static ReloadCollections? Begin() =>
        GCSettings.IsServerGC || GCSettings.LatencyMode == GCLatencyMode.NoGCRegion ? null : new ReloadCollections();

    public void Dispose()
    {
        GCSettings.LatencyMode = _previous;
        _ = CollectOldAndSettle();
    }

    /// <summary>
    /// Whether gen2 collections run in the background (System.GC.Concurrent, on in GeoDns's
    /// runtimeconfig): only then is one started after a build; a blocking one would stop every
    /// thread for as long as it takes to walk the whole heap.
    /// </summary>
    internal static bool BackgroundCollections { get; } = GC.GetConfigurationVariables().TryGetValue("ConcurrentGC", out object? on) && on is true;

    /// <summary>
    /// Starts a background gen2 collection (what the last build left is garbage now) and then
    /// hands the freed memory back in small steps on a pool thread. The task says how many steps
    /// ran (fewer when a new reload began meanwhile).
    /// </summary>
    public static Task<int> CollectOldAndSettle()
    {
        long background = GC.GetGCMemoryInfo(GCKind.Background).Index;
        if (BackgroundCollections)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: false);
        }

        int generation = Volatile.Read(ref s_generation);
        return Task.Run(() => SettleAsync(generation, background));
    }

    private static async Task<int> SettleAsync(int generation, long backgroundBefore)
    {
        long lowest = long.MaxValue;
        int quiet = 0;
        int step = 0;
        for (; step < MaxSettleSteps && quiet < QuietSteps; step++)
        {
            await Task.Delay(SettleStep).ConfigureAwait(false);
            if (Volatile.Read(ref s_generation) != generation)
            {
                break;
            }

            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            long committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            // Quiet counts once the background collection has ended: only then is the old zone freed.
            bool freed = !BackgroundCollections || GC.GetGCMemoryInfo(GCKind.Background).Index != backgroundBefore;
            quiet = committed < lowest || !freed ? 0 : quiet + 1;
            lowest = Math.Min(lowest, committed);
        }

        return step;
    }
}
