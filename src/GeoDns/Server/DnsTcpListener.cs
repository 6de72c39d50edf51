using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core;
using GeoDns.Core.Wire;
using Microsoft.Extensions.Logging;

namespace GeoDns.Server;

/// <summary>
/// DNS over TCP (RFC 7766): several and pipelined queries per connection, messages split
/// across reads, an idle timeout that also bounds each reply's write (a client that never reads
/// is closed), a bound on open connections, and a bound on open connections per client address.
/// Each connection is a <see cref="TcpConnection"/>; one sweeping timer (<see cref="TcpDeadlines"/>)
/// closes those past their timeout, so no timer is armed per message.
/// </summary>
public sealed class DnsTcpListener : IDisposable
{
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    private readonly QueryProcessor _processor;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly TimeSpan _idleTimeout;
    private readonly SemaphoreSlim _connectionSlots;
    private readonly int _maxPerClient;
    private readonly ConcurrentDictionary<ClientAddress, int> _perClient = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly DnsMetrics? _metrics;
    private readonly IZoneTransferHandler? _transfers;
    private readonly TcpDeadlines _deadlines;
    private Task? _acceptLoop;

    /// <param name="maxConnectionsPerClient">Connections one client address may hold at once.</param>
    /// <param name="metrics">Where queries are counted (on the thread that answers each); null: not counted.</param>
    /// <param name="transfers">Serves AXFR/IXFR; null: the processor refuses them.</param>
    public DnsTcpListener(IPEndPoint endpoint, QueryProcessor processor, ILogger logger, TimeSpan idleTimeout, int maxConnections,
        int maxConnectionsPerClient = int.MaxValue, DnsMetrics? metrics = null, IZoneTransferHandler? transfers = null)
    {
        _transfers = transfers;
        _maxPerClient = maxConnectionsPerClient;
        _metrics = metrics;
        _processor = processor;
        _logger = logger;
        _idleTimeout = idleTimeout;
        _deadlines = new TcpDeadlines(idleTimeout);
        _connectionSlots = new SemaphoreSlim(maxConnections);
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _socket.DualMode = endpoint.Address.Equals(IPAddress.IPv6Any);
        }

        // SO_REUSEADDR alone: a restart binds while old connections sit in TIME_WAIT. Not the
        // runtime's ReuseAddress option, which on Linux also sets SO_REUSEPORT and would let a
        // second server of the same user share this port and take a part of the connections.
        if (OperatingSystem.IsLinux())
        {
            _socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        }
        else
        {
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }

        _socket.Bind(endpoint);
        _socket.Listen(512);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start() => _acceptLoop = Task.Run(AcceptLoop);

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _deadlines.Dispose();
        try
        {
            _acceptLoop?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // Stopping: the accept loop ends by exception.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                await _connectionSlots.WaitAsync(_stop.Token).ConfigureAwait(false);
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _connectionSlots.Release();
                _logger.LogWarning("TCP accept on {Endpoint}: {Error}", LocalEndPoint, e.SocketErrorCode);
                continue;
            }

            _ = Task.Run(() => ServeConnection(client));
        }
    }

    private async Task ServeConnection(Socket client)
    {
        var source = SocketAddresses.ToClient(client.RemoteEndPoint);
        TcpConnection? connection = null;
        try
        {
            // One client may not take every slot: past its cap, a new connection is closed at once.
            if (_perClient.AddOrUpdate(source, 1, (_, n) => n + 1) > _maxPerClient)
            {
                return;
            }

            client.NoDelay = true;

            // Answering a query takes microseconds and never blocks: done on the socket event
            // thread, it saves a switch to a pool thread per readiness event (see TcpConnection).
            SocketInlineCompletions.Set(client, true);
            connection = new TcpConnection(client, source, _processor, _metrics, _transfers, _idleTimeout);
            if (!_deadlines.Add(connection))
            {
                return; // stopping
            }

            await connection.Serve(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Timed out (the sweeper closed the socket), client gone, or shutting down: close quietly.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "TCP connection from {Client} failed", source);
        }
        finally
        {
            if (connection is not null)
            {
                _deadlines.Remove(connection);
            }

            Leave(source);
            client.Dispose();
            _connectionSlots.Release();
        }
    }

    private void Leave(ClientAddress source)
    {
        while (true)
        {
            if (!_perClient.TryGetValue(source, out int n))
            {
                return;
            }

            if (n <= 1 ? _perClient.TryRemove(new KeyValuePair<ClientAddress, int>(source, n)) : _perClient.TryUpdate(source, n - 1, n))
            {
                return;
            }
        }
    }
}
