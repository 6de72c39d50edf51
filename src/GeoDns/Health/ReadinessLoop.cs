using System.Runtime.InteropServices;

namespace GeoDns.Health;

/// <summary>
/// One thread, with its own epoll set, that waits for probe descriptors to become readable or
/// writable and continues each probe on itself (Linux x64). The runtime's socket engine would
/// hand every readiness to the thread pool, whose workers then spin and yield between
/// completions; at thousands of probes a second that cost more than the probes. What runs here
/// after a wait is short (a non-blocking read, parsing, recording the result), so one thread
/// serves them all. Each descriptor is added to the set once and re-armed (one-shot) per wait.
/// </summary>
internal sealed partial class ReadinessLoop
{
    /// <summary>Data, an error or the peer's end.</summary>
    public const uint Readable = EpollIn | EpollRdHup;

    /// <summary>Room to send, or the connect's outcome.</summary>
    public const uint Writable = EpollOut;

    private const int EpollCtlAdd = 1, EpollCtlMod = 3, EIntr = 4;
    private const uint EpollIn = 0x1, EpollOut = 0x4, EpollRdHup = 0x2000, EpollOneShot = 1u << 30;

    private readonly int _epoll;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, NativeProbeConnection> _connections = [];
    private long _lastId;

    private ReadinessLoop(int epoll)
    {
        _epoll = epoll;
        new Thread(Run) { IsBackground = true, Name = "health probes" }.Start();
    }

    /// <summary>The process's loop, made on first use; null where it is not supported (the socket engine is used).</summary>
    public static ReadinessLoop? Shared => LazyShared.Value;

    private static readonly Lazy<ReadinessLoop?> LazyShared = new(() =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64 && epoll_create1(0x80000) is var fd and >= 0
            ? new ReadinessLoop(fd) : null);

    /// <summary>The id <paramref name="connection"/>'s readiness is reported under, until <see cref="Remove"/>.</summary>
    public long Add(NativeProbeConnection connection)
    {
        lock (_lock)
        {
            long id = ++_lastId;
            _connections.Add(id, connection);
            return id;
        }
    }

    public void Remove(long id)
    {
        lock (_lock)
        {
            _connections.Remove(id);
        }
    }

    /// <summary>
    /// Arms one report of <paramref name="events"/> on <paramref name="fd"/> under <paramref name="id"/>
    /// (added to the set on the first call, <paramref name="added"/> then set); 0, or the errno.
    /// </summary>
    public unsafe int Arm(int fd, long id, uint events, ref bool added)
    {
        var interest = new EpollEvent { Events = events | EpollOneShot, Data = (ulong)id };
        if (epoll_ctl(_epoll, added ? EpollCtlMod : EpollCtlAdd, fd, &interest) != 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        added = true;
        return 0;
    }

    private unsafe void Run()
    {
        const int Batch = 128;
        var events = stackalloc EpollEvent[Batch];
        while (true)
        {
            int count = epoll_wait(_epoll, events, Batch, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == EIntr)
                {
                    continue;
                }

                return;
            }

            for (int i = 0; i < count; i++)
            {
                NativeProbeConnection? connection;
                lock (_lock)
                {
                    _connections.TryGetValue((long)events[i].Data, out connection);
                }

                connection?.OnReady();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_ctl(int epoll, int op, int fd, EpollEvent* @event);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_wait(int epoll, EpollEvent* events, int max, int timeout);
}
