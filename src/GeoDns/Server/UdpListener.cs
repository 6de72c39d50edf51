using System.Net;
using System.Net.Sockets;
using GeoDns.Core;
using GeoDns.Core.Wire;
using Microsoft.Extensions.Logging;

namespace GeoDns.Server;

/// <summary>
/// One UDP address served by dedicated threads. On Linux each thread has its own socket (a
/// <c>SO_REUSEPORT</c> group, see <see cref="UdpSocketGroup"/>), and receives and answers
/// datagrams in batches (<see cref="BatchedUdpLoop"/>: recvmmsg/sendmmsg, a fraction of a
/// syscall per query); elsewhere, or when those calls are unavailable, each thread does one
/// blocking receive + one send per query (no thread-pool hops, no per-datagram allocation).
/// </summary>
public sealed class UdpListener : IDisposable
{
    private readonly QueryProcessor _processor;
    private readonly ILogger _logger;
    private readonly Socket[] _sockets;
    private readonly List<Thread> _threads = [];
    private readonly bool _allowBatching;
    private readonly DnsMetrics? _metrics;
    private volatile bool _stopping;
    private bool _socketShared;

    /// <summary>How long a batched receive waits before the thread looks at the stop flag again.</summary>
    internal static readonly TimeSpan StopCheckInterval = TimeSpan.FromMilliseconds(200);

    /// <param name="metrics">Where each thread counts its queries; null: not counted.</param>
    /// <param name="threads">The receive threads <see cref="Start"/> will run: on Linux, one socket is bound for each.</param>
    public UdpListener(IPEndPoint endpoint, QueryProcessor processor, ILogger logger, DnsMetrics? metrics = null, int threads = 1)
        : this(endpoint, processor, logger, allowBatching: true, metrics, threads)
    {
    }

    internal UdpListener(IPEndPoint endpoint, QueryProcessor processor, ILogger logger, bool allowBatching, DnsMetrics? metrics = null, int threads = 1)
    {
        _allowBatching = allowBatching;
        _metrics = metrics;
        _processor = processor;
        _logger = logger;
        _sockets = UdpSocketGroup.Bind(endpoint, threads);
        LocalEndPoint = (IPEndPoint)_sockets[0].LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The first listening socket (tests set options on it).</summary>
    internal Socket Socket => _sockets[0];

    /// <summary>How many sockets the threads read: one per thread in a <c>SO_REUSEPORT</c> group, or one shared.</summary>
    public int SocketCount => _sockets.Length;

    /// <summary>Whether any receive thread is still running (tests: they all end after <see cref="Dispose"/>).</summary>
    internal bool AnyThreadAlive => _threads.Exists(t => t.IsAlive);

    /// <summary>Raises the stop flag without closing the socket (tests: idle batched threads must see it on their own).</summary>
    internal void SignalStop() => _stopping = true;

    /// <summary>Whether the threads use recvmmsg/sendmmsg (decided by <see cref="Start"/>).</summary>
    public bool IsBatched { get; private set; }

    /// <summary>Starts <paramref name="threads"/> receive threads (at least one per socket, so that none is left unread).</summary>
    public void Start(int threads)
    {
        string reason = "disabled";
        IsBatched = _allowBatching && Array.TrueForAll(_sockets, s => LinuxSocketInterop.TryPrepare(s, out reason));
        if (IsBatched)
        {
            foreach (var socket in _sockets)
            {
                // recvmmsg returns EAGAIN after this long without a datagram, so an idle thread
                // sees the stop flag (closing the descriptor does not wake it on Linux).
                socket.ReceiveTimeout = (int)StopCheckInterval.TotalMilliseconds;
            }
        }
        else
        {
            _logger.LogDebug("UDP on {Endpoint}: one receive + one send per query ({Reason})", LocalEndPoint, reason);
        }

        _socketShared = threads > _sockets.Length;
        for (int i = 0; i < Math.Max(threads, _sockets.Length); i++)
        {
            var socket = _sockets[i % _sockets.Length];
            var thread = IsBatched ? new Thread(() => RunBatched(socket)) : new Thread(() => Run(socket));
            thread.IsBackground = true;
            thread.Name = $"dns-udp-{LocalEndPoint}-{i}";
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
            CloseSockets();
        }
        else
        {
            CloseSockets();
            JoinThreads();
        }
    }

    private void CloseSockets()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
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

    private void RunBatched(Socket socket)
    {
        BatchedUdpLoop loop;
        try
        {
            loop = new BatchedUdpLoop(socket, _processor, _logger, LocalEndPoint, () => _stopping, _metrics?.NewUdpTally());
        }
        catch (OutOfMemoryException e)
        {
            _logger.LogError(e, "UDP on {Endpoint}: no memory for batch buffers, listener thread ends", LocalEndPoint);
            if (_sockets.Length > 1 && !_socketShared)
            {
                // Nobody else reads this socket: closing it takes it out of the group, so the
                // kernel hashes its clients onto the sockets that still have a thread.
                socket.Dispose();
            }

            return;
        }

        using (loop)
        {
            loop.Run();
        }
    }

    private void Run(Socket socket)
    {
        var request = new byte[DnsWireLimits.MaxUdpRequest];
        var response = new byte[DnsWire.ServerUdpPayload];
        var from = new SocketAddress(socket.AddressFamily);
        var tally = _metrics?.NewUdpTally();
        while (!_stopping)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(request, SocketFlags.None, from);
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
                    socket.SendTo(response.AsSpan(0, length), SocketFlags.None, from);
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
