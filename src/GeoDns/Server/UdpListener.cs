using System.Net;
using System.Net.Sockets;
using GeoDns.Core;
using GeoDns.Core.Wire;
using Microsoft.Extensions.Logging;

namespace GeoDns.Server;

/// <summary>
/// One UDP socket served by dedicated threads doing blocking receive/send: measured here as
/// the cheapest loop per query in .NET (no thread-pool hops, no per-datagram allocation).
/// </summary>
public sealed class UdpListener : IDisposable
{
    private readonly QueryProcessor _processor;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly List<Thread> _threads = [];
    private volatile bool _stopping;

    public UdpListener(IPEndPoint endpoint, QueryProcessor processor, ILogger logger)
    {
        _processor = processor;
        _logger = logger;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _socket.DualMode = endpoint.Address.Equals(IPAddress.IPv6Any);
        }

        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(endpoint);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start(int threads)
    {
        for (int i = 0; i < threads; i++)
        {
            var thread = new Thread(Run) { IsBackground = true, Name = $"dns-udp-{LocalEndPoint}-{i}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    private void Run()
    {
        var request = new byte[DnsWireLimits.MaxUdpRequest];
        var response = new byte[DnsWire.ServerUdpPayload];
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_stopping)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(request, SocketFlags.None, from);
            }
            catch (SocketException e) when (!_stopping)
            {
                // ICMP port-unreachable from an earlier send surfaces here on Linux: not fatal.
                _logger.LogDebug("UDP receive on {Endpoint}: {Error}", LocalEndPoint, e.SocketErrorCode);
                continue;
            }
            catch (Exception) when (_stopping)
            {
                return;
            }

            try
            {
                int length = _processor.Process(request.AsSpan(0, received), response, SocketAddresses.ToClient(from), overTcp: false);
                if (length > 0)
                {
                    _socket.SendTo(response.AsSpan(0, length), SocketFlags.None, from);
                }
            }
            catch (SocketException e) when (!_stopping)
            {
                _logger.LogDebug("UDP send on {Endpoint}: {Error}", LocalEndPoint, e.SocketErrorCode);
            }
            catch (ObjectDisposedException) when (_stopping)
            {
                return;
            }
            catch (Exception e)
            {
                // A bug must cost one reply, never the listener.
                _logger.LogError(e, "Query failed on {Endpoint}", LocalEndPoint);
            }
        }
    }
}
