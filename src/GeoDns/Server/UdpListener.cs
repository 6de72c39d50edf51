using System.Net;
using System.Net.Sockets;
using GeoDns.Core;
using GeoDns.Core.Wire;
using Microsoft.Extensions.Logging;

namespace GeoDns.Server;

/// <summary>
/// One UDP socket served by dedicated threads. On Linux each thread receives and answers
/// datagrams in batches (<see cref="BatchedUdpLoop"/>: recvmmsg/sendmmsg, a fraction of a
/// syscall per query); elsewhere, or when those calls are unavailable, each thread does one
/// blocking receive + one send per query (no thread-pool hops, no per-datagram allocation).
/// </summary>
public sealed class UdpListener : IDisposable
{
    private readonly QueryProcessor _processor;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly List<Thread> _threads = [];
    private readonly bool _allowBatching;
    private readonly DnsMetrics? _metrics;
    private volatile bool _stopping;

    /// <summary>How long a batched receive waits before the thread looks at the stop flag again.</summary>
    internal static readonly TimeSpan StopCheckInterval = TimeSpan.FromMilliseconds(200);

    /// <param name="metrics">Where each thread counts its queries; null: not counted.</param>
    public UdpListener(IPEndPoint endpoint, QueryProcessor processor, ILogger logger, DnsMetrics? metrics = null)
        : this(endpoint, processor, logger, allowBatching: true, metrics)
    {
    }

    internal UdpListener(IPEndPoint endpoint, QueryProcessor processor, ILogger logger, bool allowBatching, DnsMetrics? metrics = null)
    {
        _allowBatching = allowBatching;
        _metrics = metrics;
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

    /// <summary>The listening socket (tests set options on it).</summary>
    internal Socket Socket => _socket;

    /// <summary>Whether any receive thread is still running (tests: they all end after <see cref="Dispose"/>).</summary>
    internal bool AnyThreadAlive => _threads.Exists(t => t.IsAlive);

    /// <summary>Raises the stop flag without closing the socket (tests: idle batched threads must see it on their own).</summary>
    internal void SignalStop() => _stopping = true;

    /// <summary>Whether the threads use recvmmsg/sendmmsg (decided by <see cref="Start"/>).</summary>
    public bool IsBatched { get; private set; }

    public void Start(int threads)
    {
        string reason = "disabled";
        IsBatched = _allowBatching && LinuxSocketInterop.TryPrepare(_socket, out reason);
        if (IsBatched)
        {
            // recvmmsg returns EAGAIN after this long without a datagram, so an idle thread
            // sees the stop flag (closing the descriptor does not wake it on Linux).
            _socket.ReceiveTimeout = (int)StopCheckInterval.TotalMilliseconds;
        }
        else
        {
            _logger.LogDebug("UDP on {Endpoint}: one receive + one send per query ({Reason})", LocalEndPoint, reason);
        }

        for (int i = 0; i < threads; i++)
        {
            var thread = new Thread(IsBatched ? RunBatched : Run) { IsBackground = true, Name = $"dns-udp-{LocalEndPoint}-{i}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (IsBatched)
        {
            // Batched threads hold a reference on the descriptor and leave within one
            // StopCheckInterval; close it once they are gone.
            JoinThreads();
            _socket.Dispose();
        }
        else
        {
            _socket.Dispose();
            JoinThreads();
        }
    }

    private void JoinThreads()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        foreach (var thread in _threads)
        {
            var left = deadline - DateTime.UtcNow;
            thread.Join(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }

    private void RunBatched()
    {
        BatchedUdpLoop loop;
        try
        {
            loop = new BatchedUdpLoop(_socket, _processor, _logger, LocalEndPoint, () => _stopping, _metrics?.NewUdpTally());
        }
        catch (OutOfMemoryException e)
        {
            _logger.LogError(e, "UDP on {Endpoint}: no memory for batch buffers, listener thread ends", LocalEndPoint);
            return;
        }

        using (loop)
        {
            loop.Run();
        }
    }

    private void Run()
    {
        var request = new byte[DnsWireLimits.MaxUdpRequest];
        var response = new byte[DnsWire.ServerUdpPayload];
        var from = new SocketAddress(_socket.AddressFamily);
        var tally = _metrics?.NewUdpTally();
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
                long started = tally?.Start() ?? 0;
                int length = _processor.Process(request.AsSpan(0, received), response, SocketAddresses.ToClient(from), overTcp: false, out var outcome);
                tally?.Record(outcome, started);
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
