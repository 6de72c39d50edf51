using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace GeoDns.Server;

/// <summary>
/// The Linux batch datagram calls (<c>recvmmsg</c>/<c>sendmmsg</c>) and their structures, laid
/// out as the C library declares them (pointer-sized fields follow the platform, so 64-bit
/// and 32-bit little-endian Linux share one declaration). Constants are Linux's generic ones.
/// </summary>
internal static unsafe partial class LinuxSocketInterop
{
    public const int MsgTrunc = 0x20;
    public const int MsgDontWait = 0x40;
    public const int MsgWaitForOne = 0x10000;

    public const ushort AfInet = 2;
    public const ushort AfInet6 = 10;

    /// <summary>sizeof(struct sockaddr_storage).</summary>
    public const int SockaddrStorageSize = 128;

    public const int EPerm = 1;
    public const int EIntr = 4;
    public const int EBadF = 9;
    public const int EAgain = 11;
    public const int EInval = 22;
    public const int ENotSock = 88;
    public const int ENetUnreach = 101;
    public const int EConnRefused = 111;
    public const int EHostUnreach = 113;

    private const int FGetFl = 3;
    private const int FSetFl = 4;
    private const int ONonBlock = 0x800;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MMsgHdr
    {
        public MsgHdr Header;

        /// <summary>Octets received or sent for this message.</summary>
        public uint Length;
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static partial int SendMMsg(int fd, MMsgHdr* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    /// <summary>
    /// Whether this process can batch on <paramref name="socket"/>: Linux, a C library that
    /// has <c>recvmmsg</c>/<c>sendmmsg</c>, and a kernel (or seccomp policy) that lets them run.
    /// Probes with empty batches, which consume nothing. Also makes sure the descriptor blocks
    /// (the receive timeout then bounds each wait).
    /// </summary>
    public static bool TryPrepare(Socket socket, out string reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            reason = "not Linux";
            return false;
        }

        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            int fd = (int)socket.SafeHandle.DangerousGetHandle();
            MMsgHdr probe = default;
            if (RecvMMsg(fd, &probe, 0, MsgDontWait, null) < 0 || SendMMsg(fd, &probe, 0, 0) < 0)
            {
                reason = $"recvmmsg/sendmmsg failed with errno {Marshal.GetLastPInvokeError()}";
                return false;
            }

            int flags = Fcntl(fd, FGetFl, 0);
            if (flags < 0 || ((flags & ONonBlock) != 0 && Fcntl(fd, FSetFl, flags & ~ONonBlock) < 0))
            {
                reason = $"fcntl failed with errno {Marshal.GetLastPInvokeError()}";
                return false;
            }

            reason = "";
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            reason = e.Message;
            return false;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }
}
