using System.Diagnostics;
using GeoDns.Core.Health;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

/// <summary>
/// Plain <c>http</c> probes against responses framed every way HTTP/1.1 allows (and some it does
/// not), served byte for byte by <see cref="RawHttpServer"/> over real loopback sockets.
/// </summary>
[CancelAfter(20_000)]
public sealed class HttpResponseFramingTests
{
    private readonly HttpChecker _checker = new();

    [OneTimeTearDown]
    public void TearDown() => _checker.Dispose();

    [Test]
    public async Task SendsOneGetWithHostPathUserAgentAndConnectionClose(CancellationToken token)
    {
        await using var server = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        var result = await Probe(server, token, ("host", "www.example.com"), ("path", "/healthz?full=1"));
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(server.Requests, Is.EqualTo(new[]
        {
            $"GET /healthz?full=1 HTTP/1.1\r\nHost: www.example.com:{server.Port}\r\nUser-Agent: GeoDns-HealthCheck/1.0\r\nConnection: close\r\n\r\n",
        }));
    }

    [Test]
    public async Task Ipv6MemberGetsABracketedHostHeader(CancellationToken token)
    {
        await using var server = new TestHttpServer(System.Net.IPAddress.IPv6Loopback);
        var result = await _checker.ProbeAsync(HealthTestZones.Target("http", "::1", ("port", $"{server.Port}"), ("body", "all ok")), token);
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(server.LastHost, Is.EqualTo($"[::1]:{server.Port}"));
    }

    [Test]
    public async Task ChunkedBodyIsJoinedBeforeMatching(CancellationToken token)
    {
        // "all ok" is split over three chunks, each in its own write, with an extension and a trailer.
        await using var server = new RawHttpServer(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nall \r\n",
            "1;name=value\r\no\r\n",
            "1\r\nk\r\n0\r\nX-Trailer: t\r\n\r\n");
        var joined = await Probe(server, token, ("body", "all ok"));
        var framing = await Probe(server, token, ("body", "\r\n1"));
        Assert.That(joined.Success, Is.True, joined.Detail);
        Assert.That(framing.Success, Is.False, "chunk sizes are not part of the body");
        Assert.That(framing.Detail, Does.Contain("body lacks"));
    }

    [Test]
    public async Task ContentLengthEndsTheBodyWithoutWaitingForTheClose(CancellationToken token)
    {
        // The server keeps the connection open: the probe must stop at Content-Length, long before its 5 s timeout.
        await using var server = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", "healthy and more") { HoldOpen = true };
        var watch = Stopwatch.StartNew();
        var result = await ProbeWithTimeout(server, token, ("body", "healthy"), ("timeout", "5s"));
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));

        var beyond = await ProbeWithTimeout(server, token, ("body", "more"), ("timeout", "5s"));
        Assert.That(beyond.Success, Is.False, "bytes past Content-Length are not body");
    }

    [Test]
    public async Task BodyShorterThanItsContentLengthFails(CancellationToken token)
    {
        await using var server = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nall ok");
        var result = await Probe(server, token, ("body", "all ok"));
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Is.EqualTo("HTTP 200, body ended before its Content-Length"));
    }

    [Test]
    public async Task WithoutLengthTheBodyRunsToTheClose(CancellationToken token)
    {
        await using var server = new RawHttpServer("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nstatus:", " all", " ok");
        var result = await Probe(server, token, ("body", "status: all ok"));
        Assert.That(result.Success, Is.True, result.Detail);
    }

    [Test]
    public async Task OnlyTheFirst64KiBOfABodyAreSearched([Values] bool chunked, CancellationToken token)
    {
        string early = new string('a', 10_000) + "early" + new string('b', 60_000) + "late" + new string('c', 40_000);
        string head = chunked ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" : $"HTTP/1.1 200 OK\r\nContent-Length: {early.Length}\r\n\r\n";
        string body = chunked ? string.Concat(early.Chunk(7000).Select(c => $"{c.Length:x}\r\n{new string(c)}\r\n")) + "0\r\n\r\n" : early;
        await using var server = new RawHttpServer(head, body);
        var found = await Probe(server, token, ("body", "early"));
        var missed = await Probe(server, token, ("body", "late"));
        Assert.That(found.Success, Is.True, found.Detail);
        Assert.That(missed.Success, Is.False, "\"late\" starts past 64 KiB");
        Assert.That(missed.Detail, Does.Contain("body lacks \"late\""));
    }

    [Test]
    public async Task GarbageStatusLineIsAFailedProbeWithOneLineError(CancellationToken token)
    {
        await using var server = new RawHttpServer("SSH-2.0-OpenSSH_9.6\r\n\r\n");
        var result = await Probe(server, token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Is.EqualTo("malformed HTTP status line \"SSH-2.0-OpenSSH_9.6\""));
    }

    [Test]
    public async Task MalformedHeadersAndChunksAreFailedProbes(CancellationToken token)
    {
        await using var noColon = new RawHttpServer("HTTP/1.1 200 OK\r\nbroken header\r\n\r\n");
        await using var badLength = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n");
        await using var badChunk = new RawHttpServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
        await using var silent = new RawHttpServer(Array.Empty<byte[]>());
        var results = new[] { await Probe(noColon, token), await Probe(badLength, token), await Probe(badChunk, token, ("body", "ok")), await Probe(silent, token) };
        Assert.That(results.Select(r => r.Success), Has.All.False);
        Assert.That(results.Select(r => r.Detail), Is.EqualTo(new[]
        {
            "malformed HTTP header line \"broken header\"",
            "bad HTTP Content-Length \"12x\"",
            "HTTP 200, bad chunk size \"zz\"",
            "connection closed without an HTTP response",
        }));
    }

    [Test]
    public async Task OversizedHeadIsAFailedProbe(CancellationToken token)
    {
        await using var server = new RawHttpServer($"HTTP/1.1 200 OK\r\nX-Padding: {new string('p', 20_000)}\r\n\r\nok");
        var result = await Probe(server, token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Is.EqualTo("HTTP response head over 16 KiB"));
    }

    [Test]
    public async Task InterimResponsesAreSkipped(CancellationToken token)
    {
        await using var server = new RawHttpServer("HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n");
        var result = await Probe(server, token, ("expect", "204"));
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(result.Detail, Does.StartWith("HTTP 204"));
    }

    [Test]
    public async Task StalledBodyTimesOut(CancellationToken token)
    {
        // The head arrives, the body never completes: only the 200 ms timeout ends the probe.
        await using var server = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nall", " ok") { HoldOpen = true };
        var watch = Stopwatch.StartNew();
        var result = await ProbeWithTimeout(server, token, ("body", "all ok"), ("timeout", "200ms"));
        Assert.That(result.Success, Is.False);
        Assert.That(result.TimedOut, Is.True, result.Detail);
        Assert.That(result.Detail, Is.EqualTo("timed out after 200 ms"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task ConnectThatNeverCompletesTimesOut(CancellationToken token)
    {
        // A listener that never accepts, its backlog full: the SYN is dropped, so the request's
        // send waits on a connect still under way until the probe's timeout ends it.
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        listener.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        listener.Listen(0);
        var endPoint = (System.Net.IPEndPoint)listener.LocalEndPoint!;
        var fillers = Enumerable.Range(0, 4).Select(_ => new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp)).ToList();
        try
        {
            fillers.ForEach(f => _ = f.ConnectAsync(endPoint, token).AsTask().ContinueWith(_ => { }, TaskScheduler.Default));
            await Task.Delay(100, token);
            var target = HealthTestZones.Target("http", "127.0.0.1", ("port", $"{endPoint.Port}"), ("interval", "10s"), ("timeout", "300ms"));
            var result = await ProbeRunner.ProbeAsync(_checker, target, TimeProvider.System, token);
            Assert.That(result.TimedOut, Is.True, result.Detail);
            Assert.That(result.Detail, Is.EqualTo("timed out after 300 ms"));
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    private Task<ProbeResult> Probe(RawHttpServer server, CancellationToken token, params (string Key, string Value)[] settings) =>
        _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", [("port", $"{server.Port}"), .. settings]), token);

    private Task<ProbeResult> ProbeWithTimeout(RawHttpServer server, CancellationToken token, params (string Key, string Value)[] settings) =>
        ProbeRunner.ProbeAsync(_checker, HealthTestZones.Target("http", "127.0.0.1", [("port", $"{server.Port}"), ("interval", "10s"), .. settings]), TimeProvider.System, token);
}
