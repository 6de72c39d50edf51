using GeoDns.Core.Health;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

/// <summary>
/// Plain <c>http</c> with <c>keepalive=true</c>: one connection serves probe after probe, over
/// real loopback sockets; whatever the server does with it (closes it quietly, resets it, says
/// <c>Connection: close</c>, sends more than the message) costs no failed probe and no stuck one.
/// </summary>
[CancelAfter(30_000)]
public sealed class HttpKeepAliveTests
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nall ok";

    private readonly HttpChecker _checker = new();

    [OneTimeTearDown]
    public void TearDown() => _checker.Dispose();

    [Test]
    public async Task OneConnectionServesEveryProbe(CancellationToken token)
    {
        await using var server = new KeepAliveHttpServer(Ok);
        var target = Target(server, ("keepalive", "true"), ("body", "all ok"));
        var results = await ProbeTimes(target, 5, token);
        Assert.That(results.Select(r => r.Success), Has.All.True, string.Join("; ", results.Select(r => r.Detail)));
        Assert.That(server.Connections, Is.EqualTo(1));
        Assert.That(server.Requests, Has.Count.EqualTo(5));
        Assert.That(server.Requests, Has.None.Contains("Connection: close"));
        _checker.Forget(target);
    }

    [Test]
    public async Task WithoutKeepAliveEachProbeHasItsOwnConnection(CancellationToken token)
    {
        await using var server = new KeepAliveHttpServer(Ok);
        var results = await ProbeTimes(Target(server), 3, token);
        Assert.That(results.Select(r => r.Success), Has.All.True);
        Assert.That(server.Connections, Is.EqualTo(3));
        Assert.That(server.Requests, Has.All.Contains("Connection: close\r\n"));
    }

    [Test]
    public async Task AConnectionTheServerClosedIsReplacedWithoutAFailedProbe([Values] bool reset, CancellationToken token)
    {
        await using var server = new KeepAliveHttpServer(Ok) { CloseAfterEach = true, Reset = reset };
        var target = Target(server, ("keepalive", "true"));
        var results = await ProbeTimes(target, 4, token);
        Assert.That(results.Select(r => r.Success), Has.All.True, string.Join("; ", results.Select(r => r.Detail)));
        Assert.That(server.Connections, Is.EqualTo(4));
        _checker.Forget(target);
    }

    [Test]
    public async Task ConnectionCloseInTheAnswerIsHonoured(CancellationToken token)
    {
        // The server says close but keeps the socket open and reads no more: a client that reused it would time out.
        await using var server = new KeepAliveHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok") { AnswerOnce = true };
        var results = await ProbeTimes(Target(server, ("keepalive", "true"), ("timeout", "500ms")), 3, token);
        Assert.That(results.Select(r => r.Success), Has.All.True, string.Join("; ", results.Select(r => r.Detail)));
        Assert.That(server.Connections, Is.EqualTo(3));
    }

    [TestCase("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nall\r\n3\r\n ok\r\n0\r\n\r\n", 1, TestName = "Chunked body: kept")]
    [TestCase("HTTP/1.1 204 No Content\r\n\r\n", 1, TestName = "No body: kept")]
    [TestCase("HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nall ok", 3, TestName = "HTTP/1.0: not kept")]
    [TestCase("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 6\r\n\r\nall ok", 1, TestName = "HTTP/1.0 keep-alive: kept")]
    [TestCase("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nall okEXTRA", 3, TestName = "Bytes after the message: not kept")]
    [TestCase("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nall ok\r\n0\r\nX-Trailer: t\r\n\r\n", 3, TestName = "Chunked with trailers: not kept")]
    public async Task ReusedOnlyWhenTheAnswerEndsCleanly(string response, int connections, CancellationToken token)
    {
        // AnswerOnce: should the client reuse a connection it ought not to, its next probe times out.
        await using var server = new KeepAliveHttpServer(response) { AnswerOnce = connections > 1 };
        var expect = response.Contains(" 204 ", StringComparison.Ordinal) ? "204" : "200";
        var target = Target(server, ("keepalive", "true"), ("timeout", "500ms"), ("expect", expect));
        var results = await ProbeTimes(target, 3, token);
        Assert.That(results.Select(r => r.Success), Has.All.True, string.Join("; ", results.Select(r => r.Detail)));
        Assert.That(server.Connections, Is.EqualTo(connections));
        _checker.Forget(target);
    }

    [Test]
    public async Task AFailedStatusKeepsACleanConnection(CancellationToken token)
    {
        await using var server = new KeepAliveHttpServer("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown");
        var target = Target(server, ("keepalive", "true"));
        var results = await ProbeTimes(target, 3, token);
        Assert.That(results.Select(r => r.Detail), Has.All.EqualTo("HTTP 503, expected 200-399"));
        Assert.That(server.Connections, Is.EqualTo(1));
        _checker.Forget(target);
    }

    [Test]
    public async Task ForgettingTheTargetClosesItsConnection(CancellationToken token)
    {
        await using var server = new KeepAliveHttpServer(Ok);
        var target = Target(server, ("keepalive", "true"));
        var result = await _checker.ProbeAsync(target, token);
        Assert.That(result.Success, Is.True, result.Detail);
        await Task.Delay(100, token);
        Assert.That(server.ClosedByClient, Is.Zero, "kept open after the probe");

        _checker.Forget(target);
        await Redis.SharedNode.WaitForAsync(() => server.ClosedByClient == 1, TimeSpan.FromSeconds(5), "the server sees the kept connection closed");
    }

    private static ProbeTarget Target(KeepAliveHttpServer server, params (string Key, string Value)[] settings) =>
        HealthTestZones.Target("http", "127.0.0.1", [("port", $"{server.Port}"), ("interval", "10s"), .. settings]);

    private async Task<List<ProbeResult>> ProbeTimes(ProbeTarget target, int times, CancellationToken token)
    {
        var results = new List<ProbeResult>();
        for (int i = 0; i < times; i++)
        {
            results.Add(await ProbeRunner.ProbeAsync(_checker, target, TimeProvider.System, token));
        }

        return results;
    }
}
