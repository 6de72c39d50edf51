using System.Buffers;
using System.Net.Sockets;
using GeoDns.Core;
using GeoDns.Core.Wire;

namespace GeoDns.Server;

/// <summary>
/// One DNS-over-TCP connection: each receive takes whatever the client has sent into one
/// buffer, every complete message in it is answered, and the replies leave together in one
/// send. One async loop for the connection's life: no allocation per message in steady state
/// (the socket's awaitable receive/send are reused, the loop's state is boxed once). The
/// listener has the socket's completions run on the socket event thread
/// (<see cref="SocketInlineCompletions"/>), so the loop must never block; a zone transfer moves
/// to a pool thread. Timeouts are a deadline the listener's sweeper checks; past it, the
/// socket is shut down.
/// </summary>
internal sealed class TcpConnection
{
    /// <summary>A framed message at its largest: 2-octet length, then up to 65535 octets.</summary>
    private const int MaxFramed = DnsWire.MaxMessageLength + 2;

    /// <summary>Replies gathered for one send; a reply larger than this is sent alone.</summary>
    private const int BatchBytes = 16 * 1024;

    private readonly Socket _socket;
    private readonly ClientAddress _source;
    private readonly QueryProcessor _processor;
    private readonly DnsMetrics? _metrics;
    private readonly IZoneTransferHandler? _transfers;
    private readonly long _timeoutMs;
    private long _deadline;

    public TcpConnection(Socket socket, ClientAddress source, QueryProcessor processor, DnsMetrics? metrics,
        IZoneTransferHandler? transfers, TimeSpan timeout)
    {
        _socket = socket;
        _source = source;
        _processor = processor;
        _metrics = metrics;
        _transfers = transfers;
        _timeoutMs = (long)timeout.TotalMilliseconds;
        Touch();
    }

    /// <summary>Whether the connection has waited past its timeout (for a message, or for a reply to leave).</summary>
    public bool IsPastDeadline(long now) => now > Volatile.Read(ref _deadline);

    /// <summary>
    /// Shuts the socket down: a pending receive returns 0 and a pending send fails, so the loop
    /// returns and closes it. (Disposing it under a pending operation would reset the connection
    /// instead of closing it.)
    /// </summary>
    public void Abort()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _socket.Dispose(); // not connected any more, or already closed
        }
    }

    /// <summary>
    /// Serves until the client closes, sends a zero-length message, or times out. Socket errors
    /// (including the abort of a timeout) end it with an exception the caller treats as a close.
    /// </summary>
    public async Task Serve(CancellationToken stop)
    {
        // input: received bytes, [0, have); a partial message stays at the front for the next receive.
        // output: [0, BatchBytes) the replies gathered for one send, then one reply being built (framed).
        var input = ArrayPool<byte>.Shared.Rent(MaxFramed);
        var output = ArrayPool<byte>.Shared.Rent(BatchBytes + MaxFramed);
        try
        {
            int have = 0;
            while (true)
            {
                int received = await _socket.ReceiveAsync(input.AsMemory(have), SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    return;
                }

                have += received;
                int used = 0;
                int batched = 0;
                while (have - used >= 2)
                {
                    int length = (input[used] << 8) | input[used + 1];
                    if (length == 0)
                    {
                        // RFC 7766 has no empty message: the client is broken. Earlier answers still go.
                        await Send(output, 0, batched).ConfigureAwait(false);
                        return;
                    }

                    if (have - used - 2 < length)
                    {
                        break;
                    }

                    int start = used + 2;
                    used = start + length;
                    if (_transfers is { } transfers && transfers.IsTransfer(input.AsSpan(start, length)))
                    {
                        // Replies already built go first: the client sees answers in the order it asked.
                        await Send(output, 0, batched).ConfigureAwait(false);
                        batched = 0;
                        await ServeTransfer(transfers, input.AsMemory(start, length), stop).ConfigureAwait(false);
                        continue;
                    }

                    int answer = Answer(input.AsSpan(start, length), output.AsSpan(BatchBytes, MaxFramed));
                    if (answer == 0)
                    {
                        continue;
                    }

                    if (batched + answer > BatchBytes)
                    {
                        await Send(output, 0, batched).ConfigureAwait(false);
                        batched = 0;
                    }

                    if (answer > BatchBytes)
                    {
                        await Send(output, BatchBytes, answer).ConfigureAwait(false);
                        continue;
                    }

                    output.AsSpan(BatchBytes, answer).CopyTo(output.AsSpan(batched));
                    batched += answer;
                }

                await Send(output, 0, batched).ConfigureAwait(false);
                if (used > 0)
                {
                    // A message was answered: the next one has a whole timeout from now to arrive.
                    input.AsSpan(used, have - used).CopyTo(input);
                    have -= used;
                    Touch();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>Answers one request into <paramref name="framed"/> (after its 2-octet length); returns the framed length, 0 for no reply.</summary>
    private int Answer(ReadOnlySpan<byte> request, Span<byte> framed)
    {
        var tally = _metrics?.Tcp;
        long started = tally?.Start() ?? 0;
        int answer = _processor.Process(request, framed[2..], _source, overTcp: true, out var outcome);
        tally?.Record(outcome, started);
        if (answer == 0)
        {
            return 0;
        }

        framed[0] = (byte)(answer >> 8);
        framed[1] = (byte)answer;
        return answer + 2;
    }

    /// <summary>
    /// A transfer builds many messages and may take long: it runs on a pool thread with this
    /// socket's completions back on pool threads, so it never holds the socket event thread.
    /// </summary>
    private async Task ServeTransfer(IZoneTransferHandler transfers, ReadOnlyMemory<byte> request, CancellationToken stop)
    {
        SocketInlineCompletions.Set(_socket, false);
        await Task.Run(() => transfers.Serve(request, _source, SendTransferMessage, stop), stop).ConfigureAwait(false);
        SocketInlineCompletions.Set(_socket, true);
    }

    /// <summary>Sends the bytes (nothing when <paramref name="count"/> is 0); not an async method, so no state machine of its own.</summary>
    private ValueTask<int> Send(byte[] buffer, int offset, int count)
    {
        if (count == 0)
        {
            return ValueTask.FromResult(0);
        }

        // A client that sends but never reads fills the socket buffers and would hold this
        // connection (and its slot) forever: a reply must leave within the timeout.
        Touch();
        return _socket.SendAsync(buffer.AsMemory(offset, count), SocketFlags.None);
    }

    private ValueTask SendTransferMessage(ReadOnlyMemory<byte> framed)
    {
        Touch();
        var sending = _socket.SendAsync(framed, SocketFlags.None);
        return sending.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(sending.AsTask());
    }

    private void Touch() => Volatile.Write(ref _deadline, Environment.TickCount64 + _timeoutMs);
}
