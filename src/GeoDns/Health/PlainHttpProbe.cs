using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using System.Runtime.CompilerServices;
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

    /// <summary>"HTTP 200" and the like, made once per status (the latency is the result's own, shown beside it).</summary>
    private static readonly string?[] StatusTexts = new string?[600];

    public static async Task<ProbeResult> ProbeAsync(PlainHttpRequest request, IPEndPoint endPoint, long start, CancellationToken cancellationToken)
    {
        // One pooled buffer: the raw bytes as received in the first part, the body (de-chunked) after it.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes + HttpChecker.MaxBodyBytes);
        IProbeConnection? connection = null;
        try
        {
            // A kept connection first; when the server had closed it before any byte of an answer
            // (its idle timeout raced this request), the probe goes on over a new one.
            if (request.KeepAlive && request.TakeKept(start, out long keptSince) is { } kept)
            {
                connection = kept;
                kept.Rebind(cancellationToken);
                var (result, reusable) = await ExchangeAsync(request, kept, buffer, start, reused: true).ConfigureAwait(false);
                if (result is { } answered)
                {
                    return Done(request, ref connection, reusable, keptSince, answered);
                }

                connection = null;
                kept.Dispose();
            }

            long openedAt = Stopwatch.GetTimestamp();
            connection = await ConnectAsync(request, endPoint, cancellationToken).ConfigureAwait(false);
            var (fresh, keep) = await ExchangeAsync(request, connection, buffer, start, reused: false).ConfigureAwait(false);
            return Done(request, ref connection, keep, openedAt, fresh!.Value);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            // A dead member is a failed result, never an exception (IHealthChecker's contract).
            return Fail(start, ProbeAddress.Describe(e));
        }
        finally
        {
            connection?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hands <paramref name="connection"/> to <paramref name="request"/> for the next probe when it may be reused (the caller's reference is cleared then).</summary>
    private static ProbeResult Done(PlainHttpRequest request, ref IProbeConnection? connection, bool reusable, long openedAt, ProbeResult result)
    {
        if (reusable && connection is not null)
        {
            connection.Rebind(CancellationToken.None);
            request.Keep(connection, openedAt);
            connection = null;
        }

        return result;
    }

    /// <summary>
    /// One request and its response on <paramref name="connection"/> (the request already sent
    /// unless <paramref name="reused"/>): the result, and whether the connection ended at a message
    /// boundary the server keeps open. A null result: a reused connection the server had closed
    /// before answering (stale), for a retry on a new one.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<(ProbeResult? Result, bool Reusable)> ExchangeAsync(PlainHttpRequest request, IProbeConnection connection, byte[] buffer,
        long start, bool reused)
    {
        var raw = new Memory<byte>(buffer, 0, MaxHeadBytes);
        int filled = 0;
        if (reused)
        {
            try
            {
                await connection.SendAsync(request.Bytes).ConfigureAwait(false);
                filled = await connection.ReceiveAsync(raw).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                return (null, false);
            }

            if (filled == 0)
            {
                return (null, false);
            }
        }

        HttpResponseHead head;
        while (true)
        {
            int headEnd;
            while ((headEnd = HttpResponseHead.FindEnd(raw.Span[..filled])) < 0)
            {
                if (filled == raw.Length)
                {
                    return (Fail(start, $"HTTP response head over {MaxHeadBytes / 1024} KiB"), false);
                }

                int read = await connection.ReceiveAsync(raw[filled..]).ConfigureAwait(false);
                if (read == 0)
                {
                    return (Fail(start, filled == 0 ? "connection closed without an HTTP response" : "HTTP response ended inside its head"), false);
                }

                filled += read;
            }

            if (!HttpResponseHead.TryParse(raw.Span[..headEnd], out head, out string error))
            {
                return (Fail(start, error), false);
            }

            raw.Span[headEnd..filled].CopyTo(raw.Span);
            filled -= headEnd;
            if (!head.IsInterim)
            {
                break;
            }
        }

        // The body is read when it is checked, and to the end of the message when the connection is to be kept.
        int status = head.Status;
        bool statusOk = request.Expect.Contains(status);
        bool keeping = request.KeepAlive && !head.Closes;
        var body = new Memory<byte>(buffer, MaxHeadBytes, HttpChecker.MaxBodyBytes);
        var (length, bodyError, ended) = head.HasNoBody ? (0, null, filled == 0)
            : !keeping && !(statusOk && request.Body is not null) ? (0, null, false)
            : head.Chunked ? await ReadChunkedAsync(connection, raw, filled, body).ConfigureAwait(false)
            : await ReadPlainAsync(connection, raw, filled, body, head.ContentLength).ConfigureAwait(false);
        bool reusable = keeping && ended && bodyError is null;
        if (!statusOk)
        {
            return (Fail(start, $"HTTP {status}, expected {request.Expect}"), reusable);
        }

        if (request.Body is { } expected)
        {
            if (bodyError is not null)
            {
                return (Fail(start, $"HTTP {status}, {bodyError}"), false);
            }

            if (body.Span[..length].IndexOf(expected) < 0)
            {
                return (Fail(start, $"HTTP {status}, body lacks \"{request.BodyText}\""), reusable);
            }
        }

        return (ProbeResult.Ok(Stopwatch.GetElapsedTime(start), StatusText(status)), reusable);
    }

    /// <summary>
    /// Connects and sends the request: on Linux x64, for a literal address, on a raw descriptor
    /// (a loopback connect and send finish within the call; anything else waits on the
    /// <see cref="ReadinessLoop"/>, where the probe then continues); otherwise through the socket engine.
    /// </summary>
    private static ValueTask<IProbeConnection> ConnectAsync(PlainHttpRequest request, IPEndPoint endPoint, CancellationToken cancellationToken) =>
        request.NativeAddress is { } native && ReadinessLoop.Shared is { } loop
            ? ConnectNativeAsync(NativeProbeConnection.Open(loop, NativeProbeConnection.FamilyOf(native), cancellationToken), native, request.Bytes)
            : SocketProbeConnection.ConnectAsync(endPoint, request.Bytes, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<IProbeConnection> ConnectNativeAsync(NativeProbeConnection connection, byte[] native, byte[] request)
    {
        try
        {
            await connection.ConnectAsync(native).ConfigureAwait(false);
            await connection.SendAsync(request).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static string StatusText(int status) =>
        (uint)status < (uint)StatusTexts.Length ? StatusTexts[status] ??= $"HTTP {status}" : $"HTTP {status}";

    private static ProbeResult Fail(long start, string error) => ProbeResult.Fail(Stopwatch.GetElapsedTime(start), error);

    /// <summary>
    /// A body of <paramref name="contentLength"/> bytes, or to the close when it is
    /// <see cref="HttpResponseHead.UntilClose"/>; at most the body buffer. Ended: the whole message
    /// was read and nothing after it.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<(int Length, string? Error, bool Ended)> ReadPlainAsync(IProbeConnection connection, Memory<byte> raw, int filled,
        Memory<byte> body, long contentLength)
    {
        int wanted = contentLength == HttpResponseHead.UntilClose ? body.Length : (int)Math.Min(contentLength, body.Length);
        int length = Math.Min(filled, wanted);
        raw.Span[..length].CopyTo(body.Span);
        while (length < wanted)
        {
            int read = await connection.ReceiveAsync(body[length..wanted]).ConfigureAwait(false);
            if (read == 0)
            {
                return contentLength == HttpResponseHead.UntilClose ? (length, null, false) : (length, "body ended before its Content-Length", false);
            }

            length += read;
        }

        return (length, null, length == contentLength && filled <= length);
    }

    /// <summary>
    /// A chunked body, de-chunked into <paramref name="body"/> until its last chunk or until
    /// <paramref name="body"/> is full. Ended: the last chunk and the empty line after it (no
    /// trailers) were read and nothing after them.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<(int Length, string? Error, bool Ended)> ReadChunkedAsync(IProbeConnection connection, Memory<byte> raw, int filled, Memory<byte> body)
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
                    : await connection.ReceiveAsync(raw[filled..]).ConfigureAwait(false);
                if (read <= 0)
                {
                    return (length, read == 0 ? "chunked body ended early" : "chunk size line too long", false);
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
                return (length, $"bad chunk size \"{HttpResponseHead.Printable(line)}\"", false);
            }

            if (size == 0)
            {
                // Trailers, or an empty line that has not arrived yet, are not waited for: the connection is then not kept.
                return (length, null, raw.Span[at..filled].SequenceEqual("\r\n"u8));
            }

            while (size > 0 && length < body.Length)
            {
                if (at == filled)
                {
                    at = filled = 0;
                    int read = await connection.ReceiveAsync(raw).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (length, "chunked body ended early", false);
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

        return (length, null, false);
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
