using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace GeoDns.Health;

/// <summary>
/// One thread, with its own epoll set, that waits for probe sockets to become readable and
/// continues each probe on itself (Linux x64). The runtime's socket engine would hand every
/// readiness to the thread pool, whose workers then spin and yield between completions; at
/// thousands of probes a second that cost more than the probes. What runs here after a wait is
/// short (a non-blocking read, parsing, recording the result), so one thread serves them all.
/// </summary>
internal sealed partial class ReadinessLoop
{
    private const int EpollCtlAdd = 1, EpollCtlMod = 3, EExist = 17, EIntr = 4;
    private const uint EpollIn = 0x1, EpollRdHup = 0x2000, EpollOneShot = 1u << 30;

    private readonly int _epoll;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Waiter> _waiters = [];
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

    /// <summary>Completes, on the loop's thread, once <paramref name="socket"/> has data, an error or an end; cancelled with <paramref name="cancellationToken"/>.</summary>
    public unsafe Task WaitReadableAsync(Socket socket, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(this);
        lock (_lock)
        {
            waiter.Id = ++_lastId;
            _waiters.Add(waiter.Id, waiter);
        }

        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        var interest = new EpollEvent { Events = EpollIn | EpollRdHup | EpollOneShot, Data = (ulong)waiter.Id };
        if (epoll_ctl(_epoll, EpollCtlAdd, fd, &interest) != 0
            && (Marshal.GetLastPInvokeError() != EExist || epoll_ctl(_epoll, EpollCtlMod, fd, &interest) != 0))
        {
            Forget(waiter.Id);
            throw new SocketException((int)SocketError.SocketError);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Keep(cancellationToken.UnsafeRegister(static (s, token) => ((Waiter)s!).Cancel(token), waiter));
        }

        return waiter.Task;
    }

    private void Forget(long id)
    {
        lock (_lock)
        {
            _waiters.Remove(id);
        }
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
                Waiter? waiter;
                lock (_lock)
                {
                    _waiters.Remove((long)events[i].Data, out waiter);
                }

                waiter?.Fire();
            }
        }
    }

    /// <summary>One wait: completes once, by readiness or by cancellation, whichever comes first.</summary>
    private sealed class Waiter(ReadinessLoop loop) : TaskCompletionSource
    {
        private CancellationTokenRegistration _registration;
        private bool _fired;

        public long Id { get; set; }

        /// <summary>Keeps the cancellation registration, or drops it at once when the wait already ended (it may end before it is made).</summary>
        public void Keep(CancellationTokenRegistration registration)
        {
            lock (this)
            {
                if (!_fired)
                {
                    _registration = registration;
                    return;
                }
            }

            registration.Unregister();
        }

        public void Fire()
        {
            CancellationTokenRegistration registration;
            lock (this)
            {
                _fired = true;
                registration = _registration;
            }

            registration.Unregister();
            TrySetResult();
        }

        public void Cancel(CancellationToken token)
        {
            loop.Forget(Id);
            TrySetCanceled(token);
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
