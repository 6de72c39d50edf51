using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace GeoDns.Health;

/// <summary>
/// The C library's socket calls a probe makes on a raw descriptor (Linux), and how their errno
/// values read as <see cref="SocketError"/>s (so a probe's error text does not depend on
/// whether a <see cref="Socket"/> or a raw descriptor made the call).
/// </summary>
internal static unsafe partial class ProbeSyscalls
{
    public const int AfInet = 2, AfInet6 = 10;
    public const int EAgain = 11, EIntr = 4, EInProgress = 115, ECONNREFUSED = 111;

    private const int SockStream = 1, SockNonBlock = 0x800, SockCloexec = 0x80000;
    private const int SolSocket = 1, SoLinger = 13, SoError = 4, MsgNoSignal = 0x4000;
    private const short PollOut = 0x4, PollErr = 0x8, PollHup = 0x10;

    /// <summary>
    /// A non-blocking TCP socket that closes with a reset (linger 0, as HAProxy's checks do: no FIN
    /// exchange and no TIME_WAIT entry per probe); -1 with the errno in <paramref name="error"/>.
    /// </summary>
    public static int OpenResettingSocket(int family, out int error)
    {
        int fd = socket(family, SockStream | SockNonBlock | SockCloexec, 0);
        if (fd < 0)
        {
            error = Marshal.GetLastPInvokeError();
            return -1;
        }

        var linger = stackalloc int[2] { 1, 0 };
        setsockopt(fd, SolSocket, SoLinger, linger, 8);
        error = 0;
        return fd;
    }

    /// <summary>A non-blocking connect and a zero-timeout poll: 0, <see cref="EInProgress"/>, or the errno it failed with.</summary>
    public static int Connect(int fd, byte[] nativeAddress)
    {
        int result;
        fixed (byte* address = nativeAddress)
        {
            result = connect(fd, address, nativeAddress.Length);
        }

        int error = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        if (error != EInProgress)
        {
            return error;
        }

        var poll = new PollFd { Fd = fd, Events = PollOut };
        return ProbeSyscalls.poll(&poll, 1, 0) switch
        {
            < 0 => Marshal.GetLastPInvokeError(),
            0 => EInProgress,
            _ when (poll.Revents & (PollErr | PollHup)) != 0 => PendingError(fd),
            _ => 0,
        };
    }

    /// <summary>The connect's outcome once the socket is writable: 0, or its error (<c>SO_ERROR</c>; refused if it cannot be read).</summary>
    public static int PendingError(int fd)
    {
        int error = 0, length = sizeof(int);
        return getsockopt(fd, SolSocket, SoError, &error, &length) != 0 ? ECONNREFUSED : error;
    }

    /// <summary>Bytes sent, or -1 with the errno in <paramref name="error"/> (EAGAIN: the buffer is full or the connect is under way).</summary>
    public static int Send(int fd, ReadOnlySpan<byte> data, out int error)
    {
        long sent;
        fixed (byte* bytes = data)
        {
            sent = send(fd, bytes, (nuint)data.Length, MsgNoSignal);
        }

        error = sent < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)sent;
    }

    /// <summary>Bytes read (0 at the end), or -1 with the errno in <paramref name="error"/>.</summary>
    public static int Receive(int fd, Span<byte> into, out int error)
    {
        long read;
        fixed (byte* bytes = into)
        {
            read = recv(fd, bytes, (nuint)into.Length, 0);
        }

        error = read < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)read;
    }

    public static void Close(int fd) => close(fd);

    /// <summary>A <see cref="SocketException"/> for a Linux errno, named as the runtime names it.</summary>
    public static SocketException Error(int errno) => new((int)SocketErrorOf(errno));

    private static SocketError SocketErrorOf(int errno) => errno switch
    {
        111 => SocketError.ConnectionRefused,
        110 => SocketError.TimedOut,
        101 => SocketError.NetworkUnreachable,
        113 => SocketError.HostUnreachable,
        104 => SocketError.ConnectionReset,
        32 => SocketError.Shutdown,
        107 => SocketError.NotConnected,
        103 => SocketError.ConnectionAborted,
        99 => SocketError.AddressNotAvailable,
        13 or 1 => SocketError.AccessDenied,
        11 => SocketError.TryAgain, // from connect: no local port left (send and recv treat EAGAIN as "wait")
        24 or 23 => SocketError.TooManyOpenSockets,
        105 => SocketError.NoBufferSpaceAvailable,
        _ => SocketError.SocketError,
    };

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int connect(int fd, byte* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int setsockopt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsockopt(int fd, int level, int name, void* value, int* length);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte* data, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial nint recv(int fd, byte* data, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int close(int fd);
}
