using System.Runtime.InteropServices;

namespace GeoDns.Health;

/// <summary>
/// A raw IPv4 TCP socket (Linux; needs CAP_NET_RAW) that receives only the segments addressed
/// to one local port: a classic BPF filter on the socket drops every other TCP segment the
/// system receives in the kernel, before it is queued here. It sends segments written by
/// <see cref="SynSegment"/> (the system adds the IPv4 header) and reads whole IPv4 packets.
/// </summary>
internal static unsafe partial class RawTcpSocket
{
    private const int AfInet = 2, SockRaw = 3, SockNonBlock = 0x800, SockCloexec = 0x80000, ProtocolTcp = 6;
    private const int SolSocket = 1, SoAttachFilter = 26, SoRcvbuf = 8;
    private const short PollIn = 0x1;

    /// <summary>A packet's first octets kept by the filter: the longest IPv4 header and a TCP header.</summary>
    public const int Snap = 80;

    /// <summary>The descriptor, or -1 with the errno in <paramref name="error"/> (EPERM without CAP_NET_RAW).</summary>
    public static int Open(ushort localPort, out int error)
    {
        int fd = ProbeSyscalls.socket(AfInet, SockRaw | SockNonBlock | SockCloexec, ProtocolTcp);
        if (fd < 0)
        {
            error = Marshal.GetLastPInvokeError();
            return -1;
        }

        // ldxb 4*([0]&0xf); ldh [x+2] (the TCP destination port); jeq localPort ? accept Snap octets : drop
        var filter = stackalloc ulong[]
        {
            Instruction(0xb1, 0, 0, 0),
            Instruction(0x48, 0, 0, 2),
            Instruction(0x15, 0, 1, localPort),
            Instruction(0x06, 0, 0, Snap),
            Instruction(0x06, 0, 0, 0),
        };
        var program = new FilterProgram { Length = 5, Filter = filter };
        int buffer = 1 << 20;
        if (ProbeSyscalls.setsockopt(fd, SolSocket, SoAttachFilter, &program, sizeof(FilterProgram)) != 0)
        {
            error = Marshal.GetLastPInvokeError();
            ProbeSyscalls.Close(fd);
            return -1;
        }

        ProbeSyscalls.setsockopt(fd, SolSocket, SoRcvbuf, &buffer, sizeof(int)); // a burst of answers from remote members
        error = 0;
        return fd;
    }

    /// <summary>Sends <paramref name="segment"/> to the <c>sockaddr_in</c> <paramref name="nativeAddress"/>: 0, or the errno.</summary>
    public static int SendTo(int fd, ReadOnlySpan<byte> segment, byte[] nativeAddress)
    {
        long sent;
        fixed (byte* data = segment)
        fixed (byte* address = nativeAddress)
        {
            sent = sendto(fd, data, (nuint)segment.Length, 0, address, nativeAddress.Length);
        }

        return sent == segment.Length ? 0 : sent < 0 ? Marshal.GetLastPInvokeError() : ProbeSyscalls.EAgain;
    }

    /// <summary>The next packet's length (at most <see cref="Snap"/> of it in <paramref name="into"/>), or -1 when none is queued.</summary>
    public static int Receive(int fd, Span<byte> into)
    {
        fixed (byte* data = into)
        {
            return (int)ProbeSyscalls.recv(fd, data, (nuint)into.Length, 0);
        }
    }

    /// <summary>Waits up to <paramref name="milliseconds"/> for a packet to read.</summary>
    public static void WaitReadable(int fd, int milliseconds)
    {
        var poll = new ProbeSyscalls.PollFd { Fd = fd, Events = PollIn };
        ProbeSyscalls.poll(&poll, 1, milliseconds);
    }

    public static void Close(int fd) => ProbeSyscalls.Close(fd);

    private static ulong Instruction(ushort code, byte jumpTrue, byte jumpFalse, uint k) =>
        code | (ulong)jumpTrue << 16 | (ulong)jumpFalse << 24 | (ulong)k << 32;

    [StructLayout(LayoutKind.Sequential)]
    private struct FilterProgram
    {
        public ushort Length;
        public ulong* Filter;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendto(int fd, byte* data, nuint length, int flags, byte* address, int addressLength);
}
