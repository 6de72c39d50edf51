using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace GeoDns.Health;

/// <summary>
/// A TCP connect that costs no thread-pool hop and no epoll registration when it can finish
/// within the call (Linux only): a non-blocking <c>connect</c>, then a zero-timeout
/// <c>poll</c>. A loopback handshake completes inside the <c>connect</c> call, and so does a
/// refusal; only a connect still under way (a remote member) is handed to the runtime's socket
/// engine, which waits for it with a zero-byte send (the kernel answers a send on a connecting
/// socket with EAGAIN, then with the connect's outcome). Socket work at thousands of probes a
/// second costs more in wake-ups and spinning threads than in the syscalls themselves.
/// </summary>
internal static partial class InlineConnect
{
    private const int AfInet = 2, AfInet6 = 10, SockStream = 1, SockNonBlock = 0x800, SockCloexec = 0x80000;
    private const int SolSocket = 1, SoLinger = 13, SoError = 4, EInProgress = 115;
    private const short PollOut = 0x4, PollErr = 0x8, PollHup = 0x10;

    public static bool IsSupported { get; } = OperatingSystem.IsLinux();

    /// <summary>The native <c>sockaddr_in</c> or <c>sockaddr_in6</c> for <paramref name="endPoint"/>.</summary>
    public static byte[] NativeAddress(IPEndPoint endPoint)
    {
        bool v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        var bytes = new byte[v6 ? 28 : 16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 2), (ushort)(v6 ? AfInet6 : AfInet));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2, 2), (ushort)endPoint.Port);
        if (v6)
        {
            endPoint.Address.TryWriteBytes(bytes.AsSpan(8, 16), out _);
            BitConverter.TryWriteBytes(bytes.AsSpan(24, 4), (uint)endPoint.Address.ScopeId);
        }
        else
        {
            endPoint.Address.TryWriteBytes(bytes.AsSpan(4, 4), out _);
        }

        return bytes;
    }

    /// <summary>
    /// Connects to <paramref name="nativeAddress"/> and closes with a reset. A completed task when
    /// it connected at once; a <see cref="SocketException"/> when refused or unreachable at once;
    /// otherwise a task that ends when the connect does (and throws its error).
    /// </summary>
    public static unsafe ValueTask ConnectAndResetAsync(byte[] nativeAddress, CancellationToken cancellationToken)
    {
        int family = nativeAddress.Length == 28 ? AfInet6 : AfInet;
        int fd = socket(family, SockStream | SockNonBlock | SockCloexec, 0);
        if (fd < 0)
        {
            throw new SocketException((int)SocketErrorOf(Marshal.GetLastPInvokeError()));
        }

        bool handedOver = false;
        try
        {
            var linger = stackalloc int[2] { 1, 0 };
            setsockopt(fd, SolSocket, SoLinger, linger, 8);
            int error = Connect(fd, nativeAddress);
            if (error == 0)
            {
                return ValueTask.CompletedTask;
            }

            if (error != EInProgress)
            {
                throw new SocketException((int)SocketErrorOf(error));
            }

            handedOver = true;
            return WaitAsync(new Socket(new SafeSocketHandle(fd, ownsHandle: true)), cancellationToken);
        }
        finally
        {
            if (!handedOver)
            {
                close(fd);
            }
        }
    }

    /// <summary>
    /// Starts connecting <paramref name="socket"/> (made non-blocking here) to <paramref name="nativeAddress"/>:
    /// true when connected within the call, false when the connect is still under way (a send waits
    /// for it), a <see cref="SocketException"/> when it failed at once.
    /// </summary>
    public static bool TryConnect(Socket socket, byte[] nativeAddress)
    {
        socket.Blocking = false;
        int error = Connect((int)socket.SafeHandle.DangerousGetHandle(), nativeAddress);
        return error == 0 || (error == EInProgress ? false : throw new SocketException((int)SocketErrorOf(error)));
    }

    /// <summary>A non-blocking connect and a zero-timeout poll: 0, <c>EINPROGRESS</c>, or the errno it failed with.</summary>
    private static unsafe int Connect(int fd, byte[] nativeAddress)
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
        return InlineConnect.poll(&poll, 1, 0) switch
        {
            < 0 => Marshal.GetLastPInvokeError(),
            0 => EInProgress,
            _ when (poll.Revents & (PollErr | PollHup)) != 0 => PendingError(fd),
            _ => 0,
        };
    }

    private static async ValueTask WaitAsync(Socket socket, CancellationToken cancellationToken)
    {
        using (socket)
        {
            await socket.SendAsync(ReadOnlyMemory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The connect's error (<c>SO_ERROR</c>) once poll flagged one; refused if it cannot be read.</summary>
    private static unsafe int PendingError(int fd)
    {
        const int ConnectionRefused = 111;
        int error = 0, length = sizeof(int);
        return getsockopt(fd, SolSocket, SoError, &error, &length) == 0 && error != 0 ? error : ConnectionRefused;
    }

    /// <summary>Linux errno values a connect ends with, as the runtime names them.</summary>
    private static SocketError SocketErrorOf(int errno) => errno switch
    {
        111 => SocketError.ConnectionRefused,
        110 => SocketError.TimedOut,
        101 => SocketError.NetworkUnreachable,
        113 => SocketError.HostUnreachable,
        104 => SocketError.ConnectionReset,
        99 => SocketError.AddressNotAvailable,
        13 or 1 => SocketError.AccessDenied,
        11 => SocketError.TryAgain,
        24 or 23 => SocketError.TooManyOpenSockets,
        _ => SocketError.SocketError,
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int connect(int fd, byte* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int setsockopt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int getsockopt(int fd, int level, int name, void* value, int* length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
