using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using GeoDns.Core;
using GeoDns.Core.Wire;
using Microsoft.Extensions.Logging;
using static GeoDns.Server.LinuxSocketInterop;

namespace GeoDns.Server;

/// <summary>
/// One UDP listener thread's loop on Linux: up to <see cref="BatchSize"/> datagrams per
/// <c>recvmmsg</c> (waiting for the first one only) and all their replies in one
/// <c>sendmmsg</c>, instead of one <c>recvfrom</c> + one <c>sendto</c> per query. Every buffer
/// (datagrams, replies, source addresses, message headers) is one native block allocated when
/// the thread starts and freed when it ends: nothing is allocated per datagram.
/// </summary>
internal sealed unsafe class BatchedUdpLoop : IDisposable
{
    public const int BatchSize = 32;

    /// <summary>Each datagram slot holds 65535 octets: no UDP query is ever cut.</summary>
    private const int RequestStride = 65536;

    private const int ResponseStride = (DnsWire.ServerUdpPayload + 63) & ~63;

    private readonly Socket _socket;
    private readonly QueryProcessor _processor;
    private readonly ILogger _logger;
    private readonly IPEndPoint _endpoint;
    private readonly Func<bool> _stopping;
    private readonly QueryTally? _tally;

    private readonly byte* _block;
    private readonly MMsgHdr* _received;
    private readonly MMsgHdr* _replies;
    private readonly IoVec* _receiveVectors;
    private readonly IoVec* _replyVectors;
    private readonly byte* _addresses;
    private readonly byte* _responses;
    private readonly byte* _requests;

    /// <param name="tally">This thread's counters; null: queries are not counted.</param>
    public BatchedUdpLoop(Socket socket, QueryProcessor processor, ILogger logger, IPEndPoint endpoint, Func<bool> stopping, QueryTally? tally = null)
    {
        _tally = tally;
        _socket = socket;
        _processor = processor;
        _logger = logger;
        _endpoint = endpoint;
        _stopping = stopping;

        nuint headers = (nuint)(BatchSize * sizeof(MMsgHdr));
        nuint vectors = (nuint)(BatchSize * sizeof(IoVec));
        nuint addresses = BatchSize * SockaddrStorageSize;
        nuint responses = BatchSize * ResponseStride;
        nuint requests = BatchSize * (nuint)RequestStride;
        nuint total = Align(2 * headers) + Align(2 * vectors) + addresses + responses + requests;
        _block = (byte*)NativeMemory.AlignedAlloc(total, 64);
        NativeMemory.Clear(_block, total);

        byte* next = _block;
        _received = (MMsgHdr*)next;
        _replies = _received + BatchSize;
        next += Align(2 * headers);
        _receiveVectors = (IoVec*)next;
        _replyVectors = _receiveVectors + BatchSize;
        next += Align(2 * vectors);
        _addresses = next;
        next += addresses;
        _responses = next;
        next += responses;
        _requests = next;

        for (int i = 0; i < BatchSize; i++)
        {
            _receiveVectors[i].Base = _requests + ((nint)i * RequestStride);
            _receiveVectors[i].Length = DnsWireLimits.MaxUdpRequest;
            ref var header = ref _received[i].Header;
            header.Iov = &_receiveVectors[i];
            header.IovLength = 1;
            header.Name = _addresses + (i * SockaddrStorageSize);
            header.NameLength = SockaddrStorageSize;

            _replies[i].Header.IovLength = 1;
        }
    }

    public void Dispose() => NativeMemory.AlignedFree(_block);

    /// <summary>Serves until the stop flag is seen (at the latest one receive timeout after it is set).</summary>
    public void Run()
    {
        bool added = false;
        _socket.SafeHandle.DangerousAddRef(ref added);
        try
        {
            int fd = (int)_socket.SafeHandle.DangerousGetHandle();
            while (!_stopping())
            {
                int received = RecvMMsg(fd, _received, BatchSize, MsgWaitForOne, null);
                if (received <= 0)
                {
                    if (received < 0 && !ReceiveFailed(Marshal.GetLastPInvokeError()))
                    {
                        return;
                    }

                    continue;
                }

                int replies = Answer(received);
                Send(fd, replies);
            }
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    private static nuint Align(nuint size) => (size + 63) & ~(nuint)63;

    /// <summary>Answers the first <paramref name="received"/> datagrams; returns how many replies were queued.</summary>
    private int Answer(int received)
    {
        int replies = 0;
        for (int i = 0; i < received; i++)
        {
            ref var message = ref _received[i];
            byte* address = _addresses + (i * SockaddrStorageSize);
            uint addressLength = message.Header.NameLength;
            bool truncated = (message.Header.Flags & MsgTrunc) != 0;

            // recvmmsg overwrites these: ready the slot for the next batch.
            message.Header.NameLength = SockaddrStorageSize;
            message.Header.Flags = 0;
            if (truncated)
            {
                // Cannot happen with 65535-octet slots; never answer a query that was cut.
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.LogDebug("UDP on {Endpoint}: truncated datagram dropped", _endpoint);
                }

                continue;
            }

            byte* response = _responses + (i * ResponseStride);
            int length;
            try
            {
                var source = SocketAddresses.FromLinuxSockaddr(new ReadOnlySpan<byte>(address, (int)Math.Min(addressLength, SockaddrStorageSize)));
                long started = _tally?.Start() ?? 0;
                length = _processor.Process(
                    new ReadOnlySpan<byte>(_requests + ((nint)i * RequestStride), (int)message.Length),
                    new Span<byte>(response, DnsWire.ServerUdpPayload),
                    source,
                    overTcp: false,
                    out var outcome);
                _tally?.Record(outcome, started);
            }
            catch (Exception e)
            {
                // A bug must cost one reply, never the listener.
                _logger.LogError(e, "Query failed on {Endpoint}", _endpoint);
                continue;
            }

            if (length <= 0)
            {
                continue;
            }

            _replyVectors[replies].Base = response;
            _replyVectors[replies].Length = (nuint)length;
            ref var reply = ref _replies[replies].Header;
            reply.Iov = &_replyVectors[replies];
            reply.Name = address;
            reply.NameLength = addressLength;
            replies++;
        }

        return replies;
    }

    /// <summary>
    /// Sends the queued replies. sendmmsg stops at the first message it cannot send: what it
    /// sent is skipped, and a message that fails on its own (EPERM from a firewall,
    /// ECONNREFUSED from an earlier ICMP error...) is dropped so the rest still go out.
    /// </summary>
    private void Send(int fd, int count)
    {
        int next = 0;
        int interrupted = 0;
        while (next < count)
        {
            int sent = SendMMsg(fd, _replies + next, (uint)(count - next), 0);
            if (sent > 0)
            {
                next += sent;
                continue;
            }

            int error = sent < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (error == EIntr && ++interrupted < 100)
            {
                continue;
            }

            if (error is EBadF or ENotSock)
            {
                return;
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("UDP send on {Endpoint}: errno {Errno}, reply dropped", _endpoint, error);
            }

            next++;
        }
    }

    /// <summary>Returns false when the loop must end (the descriptor is gone).</summary>
    private bool ReceiveFailed(int error)
    {
        switch (error)
        {
            case EAgain or EIntr:
                // The receive timeout expired (or a signal came): time to look at the stop flag.
                return true;
            case EBadF or ENotSock or EInval:
                if (!_stopping())
                {
                    _logger.LogError("UDP receive on {Endpoint}: errno {Errno}, listener thread ends", _endpoint, error);
                }

                return false;
            case EConnRefused or EHostUnreach or ENetUnreach or EPerm:
                // An ICMP error from an earlier send surfaces here: not fatal.
                return true;
            default:
                // A short pause keeps an unexpected persistent error (ENOMEM...) from spinning the core.
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.LogDebug("UDP receive on {Endpoint}: errno {Errno}", _endpoint, error);
                }

                Thread.Sleep(1);
                return true;
        }
    }
}
