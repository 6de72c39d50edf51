using System.Net;
using System.Net.Sockets;

namespace GeoDns.Server;

/// <summary>
/// Binds the UDP sockets of one DNS address. On Linux, several receive threads each get their
/// own socket, all bound to the address with <c>SO_REUSEPORT</c>: the kernel spreads datagrams
/// over them by a hash of the client's address and port, so the threads never share a receive
/// queue (no lock on it, no thread woken for a datagram another one takes). Elsewhere, with one
/// thread, or when the option is refused, one socket is bound and every thread reads it.
/// </summary>
internal static class UdpSocketGroup
{
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    /// <summary>
    /// Binds <paramref name="count"/> sockets to <paramref name="endpoint"/> (port 0: one port the
    /// system chooses, shared by all), or a single one where a group is not possible.
    /// </summary>
    /// <exception cref="SocketException">The address cannot be bound (in use, not local, no permission).</exception>
    public static Socket[] Bind(IPEndPoint endpoint, int count)
    {
        if (count <= 1 || !OperatingSystem.IsLinux())
        {
            return [BindOne(endpoint)];
        }

        // A group member never conflicts with another SO_REUSEPORT socket of the same user, so a
        // second geodns would join this group and take a share of the queries. A plain bind
        // first fails as before when anything holds the port (another geodns included: its
        // sockets refuse a plain bind), and for port 0 it picks the port of the group.
        IPEndPoint address;
        using (var probe = NewSocket(endpoint))
        {
            probe.Bind(endpoint);
            address = (IPEndPoint)probe.LocalEndPoint!;
        }

        var sockets = new List<Socket>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var socket = NewSocket(endpoint);
                sockets.Add(socket);
                if (!TrySetReusePort(socket))
                {
                    // Refused (an old kernel, a sandbox): one socket shared by the threads, as before.
                    foreach (var opened in sockets)
                    {
                        opened.Dispose();
                    }

                    return [BindOne(address)];
                }

                socket.Bind(address);
            }

            return [.. sockets];
        }
        catch
        {
            foreach (var opened in sockets)
            {
                opened.Dispose();
            }

            throw;
        }
    }

    private static Socket BindOne(IPEndPoint endpoint)
    {
        var socket = NewSocket(endpoint);
        try
        {
            socket.Bind(endpoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket NewSocket(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = endpoint.Address.Equals(IPAddress.IPv6Any);
            }

            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.SendBufferSize = 4 * 1024 * 1024;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool TrySetReusePort(Socket socket)
    {
        try
        {
            socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
