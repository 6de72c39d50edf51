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
/// </summary>
public sealed class DnsTcpListener : IDisposable
{
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
        _connectionSlots = new SemaphoreSlim(maxConnections);
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _socket.DualMode = endpoint.Address.Equals(IPAddress.IPv6Any);
        }

        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
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
        var request = ArrayPool<byte>.Shared.Rent(DnsWire.MaxMessageLength + 2);
        var response = ArrayPool<byte>.Shared.Rent(DnsWire.MaxMessageLength + 2);
        var source = SocketAddresses.ToClient(client.RemoteEndPoint);
        bool counted = false;
        try
        {
            // One client may not take every slot: past its cap, a new connection is closed at once.
            counted = true;
            if (_perClient.AddOrUpdate(source, 1, (_, n) => n + 1) > _maxPerClient)
            {
                return;
            }

            client.NoDelay = true;

            // One timer per connection, pushed back before each message: no allocation per query.
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            while (!_stop.IsCancellationRequested)
            {
                idle.CancelAfter(_idleTimeout);
                if (!await ReadExactly(client, request.AsMemory(0, 2), idle.Token).ConfigureAwait(false))
                {
                    return;
                }

                int length = (request[0] << 8) | request[1];
                if (length == 0 || !await ReadExactly(client, request.AsMemory(2, length), idle.Token).ConfigureAwait(false))
                {
                    return;
                }

                if (_transfers is { } transfers && transfers.IsTransfer(request.AsSpan(2, length)))
                {
                    // Many messages for one request, each written within the same timeout.
                    await transfers.Serve(request.AsMemory(2, length), source, async framed =>
                    {
                        idle.CancelAfter(_idleTimeout);
                        await client.SendAsync(framed, SocketFlags.None, idle.Token).ConfigureAwait(false);
                    }, idle.Token).ConfigureAwait(false);
                    continue;
                }

                var tally = _metrics?.Tcp;
                long started = tally?.Start() ?? 0;
                int answer = _processor.Process(request.AsSpan(2, length), response.AsSpan(2, DnsWire.MaxMessageLength), source, overTcp: true, out var outcome);
                tally?.Record(outcome, started);
                if (answer == 0)
                {
                    continue;
                }

                response[0] = (byte)(answer >> 8);
                response[1] = (byte)answer;

                // A client that sends but never reads fills the socket buffers and would hold this
                // connection (and its slot) forever: a reply must leave within the same timeout.
                idle.CancelAfter(_idleTimeout);
                await client.SendAsync(response.AsMemory(0, answer + 2), SocketFlags.None, idle.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Idle or write timeout, client gone, or shutting down: close quietly.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "TCP connection from {Client} failed", source);
        }
        finally
        {
            if (counted)
            {
                Leave(source);
            }

            client.Dispose();
            ArrayPool<byte>.Shared.Return(request);
            ArrayPool<byte>.Shared.Return(response);
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

    private static async Task<bool> ReadExactly(Socket socket, Memory<byte> buffer, CancellationToken token)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, token).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }
}
