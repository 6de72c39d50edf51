using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core.Health;

namespace GeoDns.Health;

/// <summary>
/// One plain-<c>http</c> probe on a bare socket: connect, write the prebuilt request, read the
/// status line and headers, then (only when the body is checked) at most
/// <see cref="HttpChecker.MaxBodyBytes"/> of body, framed by <c>Content-Length</c>, chunked, or
/// to the close. Far cheaper per probe than a general HTTP client, which a GET on a fresh
/// connection does not need. Malformed or oversized heads are failed probes with a one-line
/// error; socket errors throw <see cref="SocketException"/> and cancellation (the timeout)
/// <see cref="OperationCanceledException"/>, as from the other checkers.
/// </summary>
internal static class PlainHttpProbe
{
    /// <summary>The most a response head (status line and headers) may take.</summary>
    public const int MaxHeadBytes = 16 * 1024;

    public static async Task<ProbeResult> ProbeAsync(PlainHttpRequest request, IPEndPoint endPoint, long start, CancellationToken cancellationToken)
    {
        // One pooled buffer: the raw bytes as received in the first part, the body (de-chunked) after it.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes + HttpChecker.MaxBodyBytes);
        try
        {
            using var socket = ProbeAddress.NewSocket(endPoint.AddressFamily);
            await ConnectAndSendAsync(socket, request, endPoint, cancellationToken).ConfigureAwait(false);
            var raw = new Memory<byte>(buffer, 0, MaxHeadBytes);
            int filled = 0;
            HttpResponseHead head;
            while (true)
            {
                int headEnd;
                while ((headEnd = HttpResponseHead.FindEnd(raw.Span[..filled])) < 0)
                {
                    if (filled == raw.Length)
                    {
                        return Fail(start, $"HTTP response head over {MaxHeadBytes / 1024} KiB");
                    }

                    int read = await ReceiveAsync(socket, raw[filled..], cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return Fail(start, filled == 0 ? "connection closed without an HTTP response" : "HTTP response ended inside its head");
                    }

                    filled += read;
                }

                if (!HttpResponseHead.TryParse(raw.Span[..headEnd], out head, out string error))
                {
                    return Fail(start, error);
                }

                raw.Span[headEnd..filled].CopyTo(raw.Span);
                filled -= headEnd;
                if (!head.IsInterim)
                {
                    break;
                }
            }

            int status = head.Status;
            if (!request.Expect.Contains(status))
            {
                return Fail(start, $"HTTP {status}, expected {request.Expect}");
            }

            if (request.Body is { } expected)
            {
                var body = new Memory<byte>(buffer, MaxHeadBytes, HttpChecker.MaxBodyBytes);
                var (length, bodyError) = head.HasNoBody ? (0, null)
                    : head.Chunked ? await ReadChunkedAsync(socket, raw, filled, body, cancellationToken).ConfigureAwait(false)
                    : await ReadPlainAsync(socket, raw, filled, body, head.ContentLength, cancellationToken).ConfigureAwait(false);
                if (bodyError is not null)
                {
                    return Fail(start, $"HTTP {status}, {bodyError}");
                }

                if (body.Span[..length].IndexOf(expected) < 0)
                {
                    return Fail(start, $"HTTP {status}, body lacks \"{request.BodyText}\"");
                }
            }

            var latency = Stopwatch.GetElapsedTime(start);
            return ProbeResult.Ok(latency, $"HTTP {status} in {ProbeAddress.Milliseconds(latency)}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// On Linux a connect that finishes within the call (loopback, a refusal) and a send that fits
    /// the socket buffer take no trip through the socket engine; anything else waits asynchronously
    /// (a send on a socket still connecting waits for the connect).
    /// </summary>
    private static ValueTask<int> ConnectAndSendAsync(Socket socket, PlainHttpRequest request, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        if (request.NativeAddress is null)
        {
            return ConnectThenSendAsync(socket, request, endPoint, cancellationToken);
        }

        int sent = 0;
        if (InlineConnect.TryConnect(socket, request.NativeAddress))
        {
            sent = socket.Send(request.Bytes, SocketFlags.None, out var error);
            if (error == SocketError.Success && sent == request.Bytes.Length)
            {
                return new ValueTask<int>(sent);
            }

            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                throw new SocketException((int)error);
            }
        }

        return socket.SendAsync(request.Bytes.AsMemory(Math.Max(sent, 0)), SocketFlags.None, cancellationToken);
    }

    private static async ValueTask<int> ConnectThenSendAsync(Socket socket, PlainHttpRequest request, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        return await socket.SendAsync(request.Bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A read: on a socket connected inline (non-blocking, never seen by the socket engine), after
    /// waiting on the <see cref="ReadinessLoop"/>, so the probe continues on the loop's thread;
    /// otherwise through the socket engine.
    /// </summary>
    private static ValueTask<int> ReceiveAsync(Socket socket, Memory<byte> into, CancellationToken cancellationToken) =>
        !socket.Blocking && ReadinessLoop.Shared is { } loop
            ? WaitThenReceiveAsync(loop, socket, into, cancellationToken)
            : socket.ReceiveAsync(into, SocketFlags.None, cancellationToken);

    private static async ValueTask<int> WaitThenReceiveAsync(ReadinessLoop loop, Socket socket, Memory<byte> into, CancellationToken cancellationToken)
    {
        while (true)
        {
            await loop.WaitReadableAsync(socket, cancellationToken).ConfigureAwait(false);
            int read = socket.Receive(into.Span, SocketFlags.None, out var error);
            if (error == SocketError.Success)
            {
                return read;
            }

            if (error != SocketError.WouldBlock)
            {
                throw new SocketException((int)error);
            }
        }
    }

    private static ProbeResult Fail(long start, string error) => ProbeResult.Fail(Stopwatch.GetElapsedTime(start), error);

    /// <summary>A body of <paramref name="contentLength"/> bytes, or to the close when it is <see cref="HttpResponseHead.UntilClose"/>; at most the body buffer.</summary>
    private static async Task<(int Length, string? Error)> ReadPlainAsync(Socket socket, Memory<byte> raw, int filled, Memory<byte> body,
        long contentLength, CancellationToken cancellationToken)
    {
        int wanted = contentLength == HttpResponseHead.UntilClose ? body.Length : (int)Math.Min(contentLength, body.Length);
        int length = Math.Min(filled, wanted);
        raw.Span[..length].CopyTo(body.Span);
        while (length < wanted)
        {
            int read = await ReceiveAsync(socket, body[length..wanted], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return contentLength == HttpResponseHead.UntilClose ? (length, null) : (length, "body ended before its Content-Length");
            }

            length += read;
        }

        return (length, null);
    }

    /// <summary>A chunked body, de-chunked into <paramref name="body"/> until its last chunk or until <paramref name="body"/> is full.</summary>
    private static async Task<(int Length, string? Error)> ReadChunkedAsync(Socket socket, Memory<byte> raw, int filled, Memory<byte> body,
        CancellationToken cancellationToken)
    {
        int length = 0, at = 0;
        while (length < body.Length)
        {
            // The chunk-size line (the CRLF that ends the previous chunk's data reads as an empty line first).
            int lineEnd;
            while ((lineEnd = raw.Span[at..filled].IndexOf((byte)'\n')) < 0)
            {
                raw.Span[at..filled].CopyTo(raw.Span);
                filled -= at;
                at = 0;
                int read = filled == raw.Length ? -1
                    : await ReceiveAsync(socket, raw[filled..], cancellationToken).ConfigureAwait(false);
                if (read <= 0)
                {
                    return (length, read == 0 ? "chunked body ended early" : "chunk size line too long");
                }

                filled += read;
            }

            var line = raw.Span.Slice(at, lineEnd).TrimEnd((byte)'\r');
            at += lineEnd + 1;
            if (line.IsEmpty)
            {
                continue;
            }

            if (!TryParseChunkSize(line, out long size))
            {
                return (length, $"bad chunk size \"{HttpResponseHead.Printable(line)}\"");
            }

            if (size == 0)
            {
                return (length, null);
            }

            while (size > 0 && length < body.Length)
            {
                if (at == filled)
                {
                    at = filled = 0;
                    int read = await ReceiveAsync(socket, raw, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (length, "chunked body ended early");
                    }

                    filled = read;
                }

                int take = (int)Math.Min(size, Math.Min(filled - at, body.Length - length));
                raw.Span.Slice(at, take).CopyTo(body.Span[length..]);
                at += take;
                length += take;
                size -= take;
            }
        }

        return (length, null);
    }

    /// <summary>Hex digits, then optional <c>;extensions</c>.</summary>
    private static bool TryParseChunkSize(ReadOnlySpan<byte> line, out long size)
    {
        size = 0;
        int digits = 0;
        foreach (byte b in line)
        {
            int value = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (value < 0)
            {
                return digits > 0 && b is (byte)';' or (byte)' ' or (byte)'\t';
            }

            if (++digits > 15)
            {
                return false;
            }

            size = (size * 16) + value;
        }

        return digits > 0;
    }
}
