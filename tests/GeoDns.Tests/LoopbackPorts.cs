using System.Net;
using System.Net.Sockets;

namespace GeoDns.Tests;

/// <summary>Ports free on a loopback address just now (another process may still take one before it is used).</summary>
public static class LoopbackPorts
{
    /// <summary>A TCP port free on 127.0.0.1 (Redis, HTTP, admin APIs).</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port free for both UDP and TCP on <paramref name="address"/> (default 127.0.0.1): what a DNS server binds.</summary>
    public static int FreeDnsPort(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        while (true)
        {
            using var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(address, 0));
            int port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for TCP: try another.
            }
        }
    }
}
