using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace GeoDns.Health;

/// <summary>
/// A TCP connect that costs no thread-pool hop and no epoll registration when it can finish
/// within the call (Linux only): a non-blocking <c>connect</c> on a raw descriptor, then a
/// zero-timeout <c>poll</c>. A loopback handshake completes inside the <c>connect</c> call, and
/// so does a refusal; only a connect still under way (a remote member) is waited for, on the
/// <see cref="ReadinessLoop"/> (or, where there is none, by the runtime's socket engine with a
/// zero-byte send: the kernel answers a send on a connecting socket with EAGAIN, then with the
/// connect's outcome). Socket work at thousands of probes a second costs more in wake-ups and
/// spinning threads than in the syscalls themselves.
/// </summary>
internal static class InlineConnect
{
    public static bool IsSupported { get; } = OperatingSystem.IsLinux();

    /// <summary>The native <c>sockaddr_in</c> or <c>sockaddr_in6</c> for <paramref name="endPoint"/>.</summary>
    public static byte[] NativeAddress(IPEndPoint endPoint)
    {
        bool v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        var bytes = new byte[v6 ? 28 : 16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 2), (ushort)(v6 ? ProbeSyscalls.AfInet6 : ProbeSyscalls.AfInet));
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
    public static ValueTask ConnectAndResetAsync(byte[] nativeAddress, CancellationToken cancellationToken)
    {
        int fd = ProbeSyscalls.OpenResettingSocket(NativeProbeConnection.FamilyOf(nativeAddress), out int openError);
        if (fd < 0)
        {
            throw ProbeSyscalls.Error(openError);
        }

        bool handedOver = false;
        try
        {
            int error = ProbeSyscalls.Connect(fd, nativeAddress);
            if (error == 0)
            {
                return ValueTask.CompletedTask;
            }

            if (error != ProbeSyscalls.EInProgress)
            {
                throw ProbeSyscalls.Error(error);
            }

            handedOver = true;
            return ReadinessLoop.Shared is { } loop
                ? WaitAsync(NativeProbeConnection.Adopt(loop, fd, cancellationToken))
                : WaitAsync(new Socket(new SafeSocketHandle(fd, ownsHandle: true)), cancellationToken);
        }
        finally
        {
            if (!handedOver)
            {
                ProbeSyscalls.Close(fd);
            }
        }
    }

    private static async ValueTask WaitAsync(NativeProbeConnection connection)
    {
        using (connection)
        {
            await connection.ConnectedAsync().ConfigureAwait(false);
        }
    }

    private static async ValueTask WaitAsync(Socket socket, CancellationToken cancellationToken)
    {
        using (socket)
        {
            await socket.SendAsync(ReadOnlyMemory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }
}
