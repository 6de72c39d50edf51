using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using GeoDns.Core.Health;
using GeoDns.Core.Health.Checks;

namespace GeoDns.Health;

/// <summary>
/// <c>http</c> and <c>https</c>: GET <c>path</c> from the member's address, up when the status
/// is in <c>expect</c> and the body (first 64 KiB) contains <c>body</c>. The URL, Host header
/// and TLS SNI carry <c>host</c> while the connection goes to the member's address. Certificates
/// are verified against <c>host</c> unless <c>insecure=true</c>. Every probe opens a new
/// connection, so a server that stopped accepting is noticed at once, unless plain <c>http</c> has
/// <c>keepalive=true</c>: then a member at a literal address keeps one connection open between
/// probes (reopened when the server closes it, and at least once a minute). Plain <c>http</c> goes
/// through a small hand-written HTTP/1.1 exchange (<see cref="PlainHttpProbe"/>); <c>https</c>
/// through <see cref="SocketsHttpHandler"/>. Redirects are never followed: the status is judged.
/// </summary>
public sealed class HttpChecker : IHealthChecker, IDisposable
{
    public const int MaxBodyBytes = 64 * 1024;

    private static readonly HttpRequestOptionsKey<IPEndPoint> EndPointKey = new("GeoDns.Health.EndPoint");

    private readonly HttpMessageInvoker _verifying;
    private readonly HttpMessageInvoker _insecure;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ProbeTarget, PlainHttpRequest> _plainRequests = new();

    public HttpChecker()
    {
        _verifying = new HttpMessageInvoker(CreateHandler(insecure: false));
        _insecure = new HttpMessageInvoker(CreateHandler(insecure: true));
    }

    public IReadOnlyCollection<CheckKind> Kinds { get; } = [HttpCheck.Http, HttpCheck.Https];

    /// <summary>Not an async method itself: a plain <c>http</c> probe is <see cref="PlainHttpProbe"/>'s task, with no second state machine around it.</summary>
    public Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        return target.Settings.Kind == "http" ? PlainProbeAsync(target, start, cancellationToken) : ClientProbeAsync(target, start, cancellationToken);
    }

    /// <summary><c>https</c> (and anything but plain <c>http</c>) through the .NET HTTP client.</summary>
    private async Task<ProbeResult> ClientProbeAsync(ProbeTarget target, long start, CancellationToken cancellationToken)
    {
        var settings = target.Settings;
        try
        {
            var address = await ProbeAddress.ResolveAsync(target.Address, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, RequestUri(target, address));
            request.Options.Set(EndPointKey, new IPEndPoint(address, settings.Port));
            request.Headers.ConnectionClose = true;
            request.Headers.UserAgent.ParseAdd("GeoDns-HealthCheck/1.0");
            var client = settings.Kind == "https" && settings.Get(HttpCheck.Insecure) ? _insecure : _verifying;
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            var expect = settings.Get(HttpCheck.Expect);
            if (!expect.Contains(status))
            {
                return ProbeResult.Fail(Stopwatch.GetElapsedTime(start), $"HTTP {status}, expected {expect}");
            }

            if (settings.Get(HttpCheck.Body) is { } expected)
            {
                string body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
                if (!body.Contains(expected, StringComparison.Ordinal))
                {
                    return ProbeResult.Fail(Stopwatch.GetElapsedTime(start), $"HTTP {status}, body lacks \"{expected}\"");
                }
            }

            var latency = Stopwatch.GetElapsedTime(start);
            return ProbeResult.Ok(latency, $"HTTP {status} in {ProbeAddress.Milliseconds(latency)}");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException)
        {
            return ProbeResult.Fail(Stopwatch.GetElapsedTime(start), ProbeAddress.Describe(e));
        }
    }

    /// <summary>
    /// Plain <c>http</c> through <see cref="PlainHttpProbe"/>. A literal address's request is
    /// built once per target (a reload makes new targets); a host name is resolved and its
    /// request built per probe.
    /// </summary>
    private Task<ProbeResult> PlainProbeAsync(ProbeTarget target, long start, CancellationToken cancellationToken)
    {
        // The request made on a literal address's first probe, looked up before parsing the address again.
        if (_plainRequests.TryGetValue(target, out var request) || PlainHttpRequest.IsLiteral(target.Address, out _))
        {
            request ??= _plainRequests.GetValue(target, static t =>
            {
                PlainHttpRequest.IsLiteral(t.Address, out var literal);
                return PlainHttpRequest.For(t, literal, keepEndPoint: true);
            });
            return PlainHttpProbe.ProbeAsync(request, request.EndPoint!, start, cancellationToken);
        }

        return ResolveAndProbeAsync(target, start, cancellationToken);
    }

    private static async Task<ProbeResult> ResolveAndProbeAsync(ProbeTarget target, long start, CancellationToken cancellationToken)
    {
        IPAddress address;
        try
        {
            address = await ProbeAddress.ResolveAsync(target.Address, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail(Stopwatch.GetElapsedTime(start), ProbeAddress.Describe(e));
        }

        var request = PlainHttpRequest.For(target, address, keepEndPoint: false);
        return await PlainHttpProbe.ProbeAsync(request, new IPEndPoint(address, target.Settings.Port), start, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connection a <c>keepalive</c> target kept.</summary>
    public void Forget(ProbeTarget target)
    {
        if (_plainRequests.TryGetValue(target, out var request))
        {
            _plainRequests.Remove(target);
            request.CloseKept();
        }
    }

    /// <summary>One full exchange with a throw-away HTTP server on 127.0.0.1.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var serve = ServeOnceAsync(listener, cancellationToken);
            var settings = CheckSettings.Parse(HttpCheck.Http, new Dictionary<string, string> { ["port"] = $"{port}", ["body"] = "ok" });
            await ProbeAsync(new ProbeTarget(new MemberKey(".", "warm-up"), "", "warm-up", settings, "127.0.0.1"), cancellationToken).ConfigureAwait(false);
            await serve.ConfigureAwait(false);
        }
        finally
        {
            listener.Stop();
        }
    }

    public void Dispose()
    {
        _verifying.Dispose();
        _insecure.Dispose();
    }

    /// <summary><c>scheme://host:port/path</c> with the Host header name (or the address) as the authority.</summary>
    internal static Uri RequestUri(ProbeTarget target, IPAddress address)
    {
        var settings = target.Settings;
        string host = settings.Get(HttpCheck.Host) ?? (address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString());
        string path = settings.Get(HttpCheck.Path);
        return new UriBuilder(settings.Kind, host, settings.Port) { Path = path.Split('?')[0], Query = QueryOf(path) }.Uri;
    }

    private static string QueryOf(string path) => path.IndexOf('?') is var q and >= 0 ? path[(q + 1)..] : string.Empty;

    private static async Task ServeOnceAsync(System.Net.Sockets.TcpListener listener, CancellationToken cancellationToken)
    {
        using var socket = await listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[4096];
        int total = 0;
        while (total < buffer.Length && !buffer.AsSpan(0, total).EndsWith("\r\n\r\n"u8))
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        socket.Shutdown(SocketShutdown.Both);
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxBodyBytes];
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private static SocketsHttpHandler CreateHandler(bool insecure) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.Zero,
        ConnectCallback = ConnectAsync,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = insecure ? (_, _, _, _) => true : null,
        },
    };

    /// <summary>Connects to the member's address whatever the URL's host says.</summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        if (!context.InitialRequestMessage.Options.TryGetValue(EndPointKey, out var endPoint))
        {
            throw new InvalidOperationException("health probe request without an endpoint");
        }

        var socket = ProbeAddress.NewSocket(endPoint.AddressFamily);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
