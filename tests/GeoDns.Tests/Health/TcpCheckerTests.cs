using System.Net;
using System.Net.Sockets;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

[CancelAfter(20_000)]
public sealed class TcpCheckerTests
{
    private readonly TcpChecker _checker = new();

    [Test]
    public async Task ListeningPortIsUp(CancellationToken token)
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var result = await _checker.ProbeAsync(HealthTestZones.Target("tcp", "127.0.0.1", ("port", $"{port}")), token);
            Assert.That(result.Success, Is.True, result.Detail);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Test]
    public async Task Ipv6ListeningPortIsUpAndRefusedPortIsDown(CancellationToken token)
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.IPv6Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var up = await _checker.ProbeAsync(HealthTestZones.Target("tcp", "::1", ("port", $"{port}")), token);
            Assert.That(up.Success, Is.True, up.Detail);
        }
        finally
        {
            listener.Stop();
        }

        using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        int free = ((IPEndPoint)probe.LocalEndPoint!).Port;
        probe.Dispose();
        var down = await _checker.ProbeAsync(HealthTestZones.Target("tcp", "::1", ("port", $"{free}")), token);
        Assert.That(down.Detail, Does.Contain("connection refused"));
    }

    [Test]
    public async Task RefusedPortIsDown(CancellationToken token)
    {
        var result = await _checker.ProbeAsync(HealthTestZones.Target("tcp", "127.0.0.1", ("port", $"{LoopbackPorts.FreeTcpPort()}")), token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Does.Contain("connection refused"));
    }

    [Test]
    public async Task UnansweredConnectTimesOut(CancellationToken token)
    {
        using var backlog = await FullBacklog.StartAsync(token);
        var endPoint = backlog.EndPoint;
        var target = HealthTestZones.Target("tcp", "127.0.0.1", ("port", $"{endPoint.Port}"), ("interval", "1s"), ("timeout", "300ms"));
        var result = await ProbeRunner.ProbeAsync(_checker, target, TimeProvider.System, token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Does.Contain("timed out"));
        Assert.That(result.Latency, Is.LessThan(TimeSpan.FromSeconds(10)), "ended by the 300 ms timeout, not by the kernel's SYN retries (minutes)");
    }

    [Test]
    public async Task ConnectStillUnderWayIsWaitedFor(CancellationToken token)
    {
        // The backlog is full when the probe starts, so its SYN is dropped and the connect is still
        // under way when the call returns; once the queue is drained, the kernel's SYN retry (1 s)
        // connects, and the probe must report it.
        using var backlog = await FullBacklog.StartAsync(token);
        var endPoint = backlog.EndPoint;
        var listener = backlog.Listener;
        var target = HealthTestZones.Target("tcp", "127.0.0.1", ("port", $"{endPoint.Port}"), ("interval", "10s"), ("timeout", "5s"));
        var probe = ProbeRunner.ProbeAsync(_checker, target, TimeProvider.System, token);
        await Task.Delay(300, token);
        Assert.That(probe.IsCompleted, Is.False, "the first SYN was dropped");
        listener.Blocking = false;
        var accepted = new List<Socket>();
        var drainUntil = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        while (!probe.IsCompleted && DateTime.UtcNow < drainUntil)
        {
            try
            {
                accepted.Add(listener.Accept());
            }
            catch (SocketException)
            {
                await Task.Delay(20, token);
            }
        }

        var result = await probe;
        accepted.ForEach(a => a.Dispose());
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(result.Latency, Is.GreaterThan(TimeSpan.FromMilliseconds(500)), "connected by the SYN retry, after the wait");
    }

    [Test]
    public async Task IcmpEchoToLoopbackIsUp(CancellationToken token)
    {
        var result = await new IcmpChecker().ProbeAsync(HealthTestZones.Target("icmp", "127.0.0.1", ("timeout", "1s")), token);
        Assert.That(result.Success, Is.True, result.Detail);
    }

    /// <summary>A loopback listener that never accepts, its backlog filled: Linux drops further SYNs.</summary>
    internal sealed class FullBacklog : IDisposable
    {
        private readonly List<Socket> _fillers = [];

        private FullBacklog()
        {
            Listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            Listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Listener.Listen(0);
            EndPoint = (IPEndPoint)Listener.LocalEndPoint!;
        }

        public Socket Listener { get; }

        public IPEndPoint EndPoint { get; }

        public static async Task<FullBacklog> StartAsync(CancellationToken token)
        {
            var backlog = new FullBacklog();
            for (int i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                backlog._fillers.Add(filler);
                _ = filler.ConnectAsync(backlog.EndPoint, token).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await Task.Delay(100, token);
            return backlog;
        }

        public void Dispose()
        {
            _fillers.ForEach(f => f.Dispose());
            Listener.Dispose();
        }
    }
}
