using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using GeoDns.Health;
using Microsoft.Extensions.Logging;

namespace GeoDns.Tests.Health;

/// <summary>
/// <c>tcp-half-open</c> against real loopback listeners: a SYN-ACK is up, a RST refused, silence
/// a timeout, and no connection is ever made. Raw sockets need root (CI runs as root); without
/// them the checker connects fully, which is tested too.
/// </summary>
[CancelAfter(30_000)]
public sealed class HalfOpenCheckerTests
{
    private static HalfOpenChecker RawChecker(ILogger<HalfOpenChecker>? logger = null, bool answerInline = true)
    {
        var checker = new HalfOpenChecker(useRawSockets: true, logger, answerInline);
        if (!checker.HalfOpen)
        {
            Assume.That(Environment.UserName, Is.EqualTo("root"), "raw sockets need CAP_NET_RAW");
            Assert.Fail("running as root, yet no raw socket");
        }

        return checker;
    }

    [Test]
    public async Task ListeningPortIsUpAndNoConnectionIsMade(CancellationToken token)
    {
        using var checker = RawChecker();
        using var listener = Listen(IPAddress.Loopback);
        var target = HealthTestZones.Target("tcp-half-open", "127.0.0.1", ("port", $"{Port(listener)}"));
        var result = await checker.ProbeAsync(target, token);
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(result.Detail, Is.EqualTo($"port {Port(listener)} answered SYN-ACK"));
        await Task.Delay(100, token);
        Assert.That(listener.Poll(0, SelectMode.SelectRead), Is.False, "nothing to accept");
        Assert.That(HalfOpenEntries(Port(listener)), Is.Zero, "no SYN-RECV left on the listener: the system reset the SYN-ACK");

        // The same probe connecting fully leaves a connection to accept: the check above can tell.
        using var connecting = new HalfOpenChecker(useRawSockets: false, logger: null);
        Assert.That((await connecting.ProbeAsync(target, token)).Success, Is.True);
        await Task.Delay(100, token);
        Assert.That(listener.Poll(0, SelectMode.SelectRead), Is.True, "a full connect reaches the accept queue");
    }

    [Test]
    public async Task RefusedPortIsDown(CancellationToken token)
    {
        using var checker = RawChecker();
        int port = LoopbackPorts.FreeTcpPort();
        var result = await checker.ProbeAsync(HealthTestZones.Target("tcp-half-open", "127.0.0.1", ("port", $"{port}")), token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Is.EqualTo($"port {port}: connection refused"));
    }

    [Test]
    public async Task UnansweredSynTimesOut(CancellationToken token)
    {
        using var checker = RawChecker();
        using var backlog = await TcpCheckerTests.FullBacklog.StartAsync(token);
        var target = HealthTestZones.Target("tcp-half-open", "127.0.0.1", ("port", $"{backlog.EndPoint.Port}"), ("interval", "1s"), ("timeout", "300ms"));
        var result = await ProbeRunner.ProbeAsync(checker, target, TimeProvider.System, token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Does.Contain("timed out"));

        // The forgotten probe does not hold later ones: the next answer is read and matched.
        using var listener = Listen(IPAddress.Loopback);
        var after = await checker.ProbeAsync(HealthTestZones.Target("tcp-half-open", "127.0.0.1", ("port", $"{Port(listener)}")), token);
        Assert.That(after.Success, Is.True, after.Detail);
    }

    [Test]
    public async Task AnswersLeftToTheReceivingThreadComplete(CancellationToken token)
    {
        using var checker = RawChecker(answerInline: false);
        using var listener = Listen(IPAddress.Loopback);
        int refused = LoopbackPorts.FreeTcpPort();
        var up = await ProbeRunner.ProbeAsync(checker, HealthTestZones.Target("tcp-half-open", "127.0.0.1", ("port", $"{Port(listener)}")), TimeProvider.System, token);
        var down = await ProbeRunner.ProbeAsync(checker, HealthTestZones.Target("tcp-half-open", "127.0.0.1", ("port", $"{refused}")), TimeProvider.System, token);
        Assert.That(up.Success, Is.True, up.Detail);
        Assert.That(down.Detail, Is.EqualTo($"port {refused}: connection refused"));
    }

    [Test]
    public async Task ManyProbesAtOnceEachGetTheirOwnAnswer(CancellationToken token)
    {
        using var checker = RawChecker();
        var listeners = Enumerable.Range(0, 20).Select(_ => Listen(IPAddress.Loopback)).ToList();
        var refused = Enumerable.Range(0, 5).Select(_ => LoopbackPorts.FreeTcpPort()).ToList();
        try
        {
            var targets = listeners.Select(l => (Port(l), Up: true)).Concat(refused.Select(p => (p, Up: false))).ToList();
            var results = new ConcurrentBag<(int Port, bool Up, bool Success)>();
            await Parallel.ForEachAsync(Enumerable.Range(0, 500), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = token }, async (i, ct) =>
            {
                var (port, up) = targets[i % targets.Count];
                var result = await ProbeRunner.ProbeAsync(checker, HealthTestZones.Target("tcp-half-open", "127.0.0.1", ("port", $"{port}")), TimeProvider.System, ct);
                results.Add((port, up, result.Success));
            });
            Assert.That(results, Has.Count.EqualTo(500));
            Assert.That(results.Where(r => r.Up != r.Success).Select(r => r.Port), Is.Empty, "every probe got its own member's answer");
        }
        finally
        {
            listeners.ForEach(l => l.Dispose());
        }
    }

    [Test]
    public async Task WithoutRawSocketsItConnectsFullyAndSaysSo(CancellationToken token)
    {
        var log = new ListLogger<HalfOpenChecker>((level, line) => $"{level}: {line}");
        using var checker = new HalfOpenChecker(useRawSockets: false, log);
        using var listener = Listen(IPAddress.Loopback);
        var result = await checker.ProbeAsync(HealthTestZones.Target("tcp-half-open", "127.0.0.1", ("port", $"{Port(listener)}")), token);
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(result.Detail, Does.StartWith($"connected to port {Port(listener)}"));
        var refused = await checker.ProbeAsync(HealthTestZones.Target("tcp-half-open", "127.0.0.1", ("port", $"{LoopbackPorts.FreeTcpPort()}")), token);
        Assert.That(refused.Detail, Does.Contain("connection refused"));
        Assert.That(log.Lines, Is.EqualTo(new[] { "Warning: tcp-half-open checks connect fully instead: raw sockets turned off" }), "said once");
    }

    [Test]
    public async Task Ipv6TargetsConnectFully(CancellationToken token)
    {
        using var checker = RawChecker();
        using var listener = Listen(IPAddress.IPv6Loopback);
        var result = await checker.ProbeAsync(HealthTestZones.Target("tcp-half-open", "::1", ("port", $"{Port(listener)}")), token);
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(result.Detail, Does.StartWith($"connected to port {Port(listener)}"));
    }

    private static Socket Listen(IPAddress address)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, 0));
        listener.Listen(64);
        return listener;
    }

    private static int Port(Socket listener) => ((IPEndPoint)listener.LocalEndPoint!).Port;

    /// <summary>Connections in SYN-RECV (state 03) on a local IPv4 port: a SYN-ACK nobody answered would stay there for a minute.</summary>
    private static int HalfOpenEntries(int port) =>
        File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Count(f => f[3] == "03" && Convert.ToInt32(f[1].Split(':')[1], 16) == port);
}
