using System.Net;
using System.Net.Sockets;
using GeoDns.Core;
using GeoDns.Server;
using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>
/// The UDP and TCP sockets of every <c>--dns</c> address, bound when constructed: the host
/// resolves this before anything starts, so a taken or foreign address is one error naming it,
/// before any zone loads or health probe runs. <see cref="Start"/> begins answering (queries
/// that arrive in between wait in the socket buffers and backlog).
/// </summary>
public sealed class DnsListeners : IDisposable
{
    private readonly List<(UdpListener Udp, DnsTcpListener Tcp)> _listeners = [];

    /// <exception cref="InvalidOperationException">An address cannot be bound (in use, not local, no permission).</exception>
    public DnsListeners(GeoDnsOptions options, QueryProcessor processor, ILoggerFactory loggers, DnsMetrics? metrics = null,
        IZoneTransferHandler? transfers = null)
    {
        try
        {
            foreach (var endpoint in options.DnsEndPoints())
            {
                // Port 0: the UDP port the system chose may be taken for TCP (an outgoing
                // connection's local port); choose again a few times before giving up.
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        BindPair(endpoint, options, processor, loggers, metrics, transfers);
                        break;
                    }
                    catch (InvalidOperationException e) when (endpoint.Port == 0 && attempt < 10 &&
                        e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
                    {
                    }
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void BindPair(IPEndPoint endpoint, GeoDnsOptions options, QueryProcessor processor, ILoggerFactory loggers, DnsMetrics? metrics,
        IZoneTransferHandler? transfers)
    {
        var udp = Bind(endpoint, "UDP", () => new UdpListener(endpoint, processor, loggers.CreateLogger<UdpListener>(), metrics, options.UdpThreadCount()));
        try
        {
            // Port 0 asks for any free port; TCP takes the same one UDP got.
            var tcpEndPoint = new IPEndPoint(endpoint.Address, udp.LocalEndPoint.Port);
            var tcp = Bind(tcpEndPoint, "TCP", () => new DnsTcpListener(tcpEndPoint, processor, loggers.CreateLogger<DnsTcpListener>(),
                TimeSpan.FromSeconds(options.TcpIdleTimeoutSeconds), options.TcpMaxConnections, options.TcpMaxConnectionsPerClient, metrics, transfers));
            _listeners.Add((udp, tcp));
        }
        catch
        {
            udp.Dispose();
            throw;
        }
    }

    /// <summary>The bound UDP addresses (with the port the system chose for port 0).</summary>
    public IReadOnlyList<IPEndPoint> UdpEndPoints => [.. _listeners.Select(l => l.Udp.LocalEndPoint)];

    /// <summary>Starts answering on every address: <paramref name="threads"/> UDP threads each, and TCP.</summary>
    public void Start(int threads, Action<IPEndPoint> started)
    {
        foreach (var (udp, tcp) in _listeners)
        {
            udp.Start(threads);
            tcp.Start();
            started(udp.LocalEndPoint);
        }
    }

    public void Dispose()
    {
        foreach (var (udp, tcp) in _listeners)
        {
            udp.Dispose();
            tcp.Dispose();
        }

        _listeners.Clear();
    }

    private static T Bind<T>(IPEndPoint endpoint, string protocol, Func<T> bind)
    {
        try
        {
            return bind();
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"cannot listen for DNS on {endpoint} ({protocol}): {Describe(e)}", e);
        }
    }

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "the address is already in use (another DNS server, or another geodns?)",
        SocketError.AddressNotAvailable => "no interface of this machine has that address",
        SocketError.AccessDenied => "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
        _ => e.Message,
    };
}
