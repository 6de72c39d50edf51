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
        try
        {
            using var connection = await ConnectAsync(request, endPoint, cancellationToken).ConfigureAwait(false);
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

                    int read = await connection.ReceiveAsync(raw[filled..]).ConfigureAwait(false);
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
                    : head.Chunked ? await ReadChunkedAsync(connection, raw, filled, body).ConfigureAwait(false)
                    : await ReadPlainAsync(connection, raw, filled, body, head.ContentLength).ConfigureAwait(false);
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
            return ProbeResult.Ok(latency, StatusText(status));
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            // A dead member is a failed result, never an exception (IHealthChecker's contract).
            return Fail(start, ProbeAddress.Describe(e));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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

    /// <summary>A body of <paramref name="contentLength"/> bytes, or to the close when it is <see cref="HttpResponseHead.UntilClose"/>; at most the body buffer.</summary>
    private static async Task<(int Length, string? Error)> ReadPlainAsync(IProbeConnection connection, Memory<byte> raw, int filled, Memory<byte> body,
        long contentLength)
    {
        int wanted = contentLength == HttpResponseHead.UntilClose ? body.Length : (int)Math.Min(contentLength, body.Length);
        int length = Math.Min(filled, wanted);
        raw.Span[..length].CopyTo(body.Span);
        while (length < wanted)
        {
            int read = await connection.ReceiveAsync(body[length..wanted]).ConfigureAwait(false);
            if (read == 0)
            {
                return contentLength == HttpResponseHead.UntilClose ? (length, null) : (length, "body ended before its Content-Length");
            }

            length += read;
        }

        return (length, null);
    }

    /// <summary>A chunked body, de-chunked into <paramref name="body"/> until its last chunk or until <paramref name="body"/> is full.</summary>
    private static async Task<(int Length, string? Error)> ReadChunkedAsync(IProbeConnection connection, Memory<byte> raw, int filled, Memory<byte> body)
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
                    int read = await connection.ReceiveAsync(raw).ConfigureAwait(false);
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
