using System.Runtime;

namespace GeoDns.Hosting;

/// <summary>
/// Loads zones with the garbage collector held off (a no-GC region sized from the zone files).
/// A large zone's loader allocates millions of objects that all survive until the zone is
/// compiled; with collections on, each one copies those survivors while every thread, query
/// threads included, waits: reloading a 1M-record zone stopped answers for 100-800 ms per
/// collection. Held off, the load triggers none; afterwards one background collection frees the
/// old zone and the loader's garbage while queries go on (measured: 5-20 ms of pauses in all).
/// </summary>
internal sealed class CollectionFreeLoad : IDisposable
{
    // The loader allocates ~24 bytes per byte of zone file (1M records: 28 MB file, 663 MB
    // allocated); the region must hold all of it or it ends with a collection halfway.
    private const long BytesPerFileByte = 64;
    private const long MinimumBudget = 16L << 20;

    // One region per process: the runtime allows no nesting, and only its starter ends it.
    private static int s_active;
    private bool _owner;

    private CollectionFreeLoad()
    {
    }

    /// <summary>
    /// Starts a region for loading the <c>*.zone</c> files of <paramref name="directory"/>, or
    /// returns null when it cannot (too large for this machine, the folder unreadable, another
    /// region on): the load then runs with collections as usual.
    /// </summary>
    public static CollectionFreeLoad? Start(string directory)
    {
        long budget;
        try
        {
            long zoneBytes = new DirectoryInfo(directory).EnumerateFiles("*" + Core.Zones.ZoneFileLoader.ZoneFileSuffix).Sum(f => f.Length);
            budget = Math.Max(zoneBytes * BytesPerFileByte, MinimumBudget);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return null; // the load reports the folder's problem
        }

        if (budget > GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 || Interlocked.CompareExchange(ref s_active, 1, 0) != 0)
        {
            return null;
        }

        try
        {
            if (GC.TryStartNoGCRegion(budget))
            {
                return new CollectionFreeLoad { _owner = true };
            }
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            // more than the runtime allows, or a region already on: load with collections
        }

        Volatile.Write(ref s_active, 0);
        return null;
    }

    /// <summary>
    /// Ends the region (unless the load outgrew it and the runtime ended it already) and, when
    /// <paramref name="collectInBackground"/>, starts a background collection: the replaced
    /// zone is freed without stopping the query threads.
    /// </summary>
    public void End(bool collectInBackground)
    {
        if (!_owner)
        {
            return;
        }

        _owner = false;
        try
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }
        catch (InvalidOperationException)
        {
            // the region ended on its own (budget exceeded): collections already ran
        }
        finally
        {
            Volatile.Write(ref s_active, 0);
        }

        if (collectInBackground)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: false, compacting: false);
        }
    }

    public void Dispose() => End(collectInBackground: false);
}
