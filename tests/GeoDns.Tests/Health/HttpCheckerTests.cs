using System.Net;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

[CancelAfter(20_000)]
public sealed class HttpCheckerTests
{
    private readonly HttpChecker _checker = new();

    [OneTimeTearDown]
    public void TearDown() => _checker.Dispose();

    [Test]
    public async Task ExpectedStatusIsUp(CancellationToken token)
    {
        await using var server = new TestHttpServer(IPAddress.Loopback);
        var result = await _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", ("port", $"{server.Port}"), ("expect", "200")), token);
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(result.Detail, Does.Contain("HTTP 200"));
    }

    [Test]
    public async Task StatusOutsideTheRangesIsDown(CancellationToken token)
    {
        await using var server = new TestHttpServer(IPAddress.Loopback) { Status = 503 };
        var down = await _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", ("port", $"{server.Port}"), ("expect", "200-299")), token);
        var accepted = await _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", ("port", $"{server.Port}"), ("expect", "200,500-503")), token);
        Assert.That(down.Success, Is.False);
        Assert.That(down.Detail, Does.Contain("HTTP 503"));
        Assert.That(accepted.Success, Is.True, accepted.Detail);
    }

    [Test]
    public async Task RedirectsAreNotFollowedAndCountAsAliveByDefault(CancellationToken token)
    {
        // /healthz redirects to /healthy on the same server (the address the probe connects to
        // anyway), and /healthy passes every check below.
        await using var server = new TestHttpServer(IPAddress.Loopback) { Status = 302, Body = "moved" };
        server.Location = $"http://127.0.0.1:{server.Port}/healthy";
        server.Paths["/healthy"] = (200, "all ok");
        var port = ("port", $"{server.Port}");

        var healthy = await _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", port, ("path", "/healthy"), ("expect", "200"), ("body", "all ok")), token);
        Assert.That(healthy.Success, Is.True, "the redirect's target passes when asked directly: " + healthy.Detail);

        var byDefault = await _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", port, ("path", "/healthz")), token);
        var only200 = await _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", port, ("path", "/healthz"), ("expect", "200")), token);
        var body = await _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", port, ("path", "/healthz"), ("body", "all ok")), token);
        Assert.Multiple(() =>
        {
            Assert.That(byDefault.Success, Is.True, "302 is within the default 200-399: " + byDefault.Detail);
            Assert.That(byDefault.Detail, Does.Contain("HTTP 302"));
            Assert.That(only200.Success, Is.False, "the 302 is judged, not the 200 it points to");
            Assert.That(only200.Detail, Does.Contain("HTTP 302"));
            Assert.That(body.Success, Is.False, "the 302's own body is read");
            Assert.That(body.Detail, Does.Contain("body lacks"));
            Assert.That(server.RequestPaths, Is.EqualTo(new[] { "/healthy", "/healthz", "/healthz", "/healthz" }), "the Location was never fetched by a probe");
        });
    }

    [Test]
    public async Task BodyMustContainTheSubstring(CancellationToken token)
    {
        await using var server = new TestHttpServer(IPAddress.Loopback) { Body = "status: degraded" };
        var port = ("port", $"{server.Port}");
        var lacks = await _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", port, ("body", "ok")), token);
        var has = await _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", port, ("body", "degraded")), token);
        Assert.That(lacks.Success, Is.False);
        Assert.That(lacks.Detail, Does.Contain("body lacks"));
        Assert.That(has.Success, Is.True, has.Detail);
    }

    [Test]
    public async Task ConnectsToTheMemberAddressWithTheHostHeaderAndPath(CancellationToken token)
    {
        await using var server = new TestHttpServer(IPAddress.Parse("127.0.0.2"));
        var result = await _checker.ProbeAsync(
            HealthTestZones.Target("http", "127.0.0.2", ("port", $"{server.Port}"), ("host", "www.example.com"), ("path", "/healthz")), token);
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(server.LastHost, Is.EqualTo($"www.example.com:{server.Port}"));
    }

    [Test]
    public async Task RefusedConnectionIsDown(CancellationToken token)
    {
        int port = LoopbackPorts.FreeTcpPort();
        var result = await _checker.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", ("port", $"{port}")), token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Does.Contain("refused"));
    }

    [Test]
    public async Task SlowServerTimesOut(CancellationToken token)
    {
        // The server would answer after a minute: only the probe's 200 ms timeout ends it sooner.
        await using var server = new TestHttpServer(IPAddress.Loopback) { Delay = TimeSpan.FromMinutes(1) };
        var target = HealthTestZones.Target("http", "127.0.0.1", ("port", $"{server.Port}"), ("interval", "1s"), ("timeout", "200ms"));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await ProbeRunner.ProbeAsync(_checker, target, TimeProvider.System, token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Does.Contain("timed out"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "ended by the timeout, not by the server");
    }

    [Test]
    public async Task TlsIsVerifiedAgainstTheHostNameAndSendsSni(CancellationToken token)
    {
        using var certificate = TestHttpServer.SelfSigned("health.test");
        await using var server = new TestHttpServer(IPAddress.Loopback, certificate: certificate);
        var settings = new[] { ("port", $"{server.Port}"), ("host", "health.test") };

        var verified = await _checker.ProbeAsync(HealthTestZones.Target("https", "127.0.0.1", settings), token);
        Assert.That(verified.Success, Is.False, "a self-signed certificate is not trusted");
        Assert.That(verified.Detail, Does.Contain("certificate").IgnoreCase.Or.Contain("SSL").IgnoreCase);

        var insecure = await _checker.ProbeAsync(HealthTestZones.Target("https", "127.0.0.1", [.. settings, ("insecure", "true")]), token);
        Assert.That(insecure.Success, Is.True, insecure.Detail);
        Assert.That(server.LastSni, Is.EqualTo("health.test"));
        Assert.That(server.LastHost, Is.EqualTo($"health.test:{server.Port}"));
    }

    [Test]
    public async Task WarmUpRunsAFullExchangeLocallyAndTheRegistryWaitsForIt(CancellationToken token)
    {
        await _checker.WarmUpAsync(token);
        var registry = new CheckerRegistry([_checker, new TcpChecker()]);
        await registry.WarmUp.WaitAsync(CheckerRegistry.WarmUpLimit + TimeSpan.FromSeconds(10), token);
        Assert.That(registry.WarmUp.IsCompletedSuccessfully, Is.True);
        Assert.That(registry.Kinds, Is.EquivalentTo(new[] { "http", "https", "tcp" }));
    }
}
