using System.Net;
using System.Net.Sockets;

namespace GeoDns.Tests;

/// <summary>
/// Ports free on a loopback address just now (another process may still take one before it is
/// used). They are drawn below the kernel's ephemeral range (32768 and up here): a port the
/// system handed out for port 0 is one it may also hand to any outgoing connection, Redis
/// clients and health probes included, between the check and the server's bind.
/// </summary>
public static class LoopbackPorts
{
    private const int First = 20000;
    private const int Last = 32767;

    /// <summary>A TCP port free on 127.0.0.1 (Redis, HTTP, admin APIs).</summary>
    public static int FreeTcpPort() => Draw(IPAddress.Loopback, udp: false);

    /// <summary>A port free for both UDP and TCP on <paramref name="address"/> (default 127.0.0.1): what a DNS server binds.</summary>
    public static int FreeDnsPort(IPAddress? address = null) => Draw(address ?? IPAddress.Loopback, udp: true);

    private static int Draw(IPAddress address, bool udp)
    {
        while (true)
        {
            int port = Random.Shared.Next(First, Last + 1);
            if ((!udp || CanBind(address, port, SocketType.Dgram, ProtocolType.Udp)) && CanBind(address, port, SocketType.Stream, ProtocolType.Tcp))
            {
                return port;
            }
        }
    }

    private static bool CanBind(IPAddress address, int port, SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(address.AddressFamily, type, protocol);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false; // taken: draw another
        }
    }
}
