using System.Net;
using System.Net.Sockets;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

/// <summary>
/// Probes on raw descriptors (Linux x64): every path closes what it opened, and the errors read
/// as they did through a <see cref="Socket"/>.
/// </summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class NativeProbeConnectionTests
{
    private readonly HttpChecker _http = new();
    private readonly TcpChecker _tcp = new();

    [TearDown]
    public void TearDown() => _http.Dispose();

    [Test]
    public async Task EveryDescriptorIsClosedWhateverTheProbeEndsWith(CancellationToken token)
    {
        Assume.That(Directory.Exists("/proc/self/fd"), "needs /proc");
        int refused = LoopbackPorts.FreeTcpPort();
        await using var resetting = new ResettingServer();
        await using var fine = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var backlog = await TcpCheckerTests.FullBacklog.StartAsync(token);

        // Each kind of ending once first, so that what the runtime opens on first use (epoll sets, threads) is there before counting.
        await ProbeEachWay();
        int before = OpenDescriptors();
        for (int round = 0; round < 40; round++)
        {
            await ProbeEachWay();
        }

        int after = OpenDescriptors();
        Assert.That(after - before, Is.LessThanOrEqualTo(3), $"{before} descriptors open before 40 rounds of 9 probes, {after} after");

        async Task ProbeEachWay()
        {
            // Holds its side of each connection until disposed: one per round, so that its sockets are gone before counting.
            await using var stalled = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome") { HoldOpen = true };
            var results = new[]
            {
                await _tcp.ProbeAsync(HealthTestZones.Target("tcp", "127.0.0.1", ("port", $"{refused}")), token),
                await _tcp.ProbeAsync(HealthTestZones.Target("tcp", "::1", ("port", $"{refused}")), token),
                await _http.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", ("port", $"{refused}")), token),
                await _http.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", ("port", $"{resetting.Port}")), token),
                await _http.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", ("port", $"{fine.Port}"), ("body", "ok")), token),
                await _http.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", ("port", $"{fine.Port}"), ("body", "absent")), token),
                await ProbeRunner.ProbeAsync(_http, HealthTestZones.Target("http", "127.0.0.1", ("port", $"{stalled.Port}"), ("body", "x"), ("timeout", "20ms")), TimeProvider.System, token),
                await ProbeRunner.ProbeAsync(_http, HealthTestZones.Target("http", "127.0.0.1", ("port", $"{backlog.EndPoint.Port}"), ("timeout", "20ms")), TimeProvider.System, token),
                await ProbeRunner.ProbeAsync(_tcp, HealthTestZones.Target("tcp", "127.0.0.1", ("port", $"{backlog.EndPoint.Port}"), ("timeout", "20ms")), TimeProvider.System, token),
            };
            Assert.That(results.Select(r => r.Success), Is.EqualTo(new[] { false, false, false, false, true, false, false, false, false }),
                string.Join("; ", results.Select(r => r.Detail)));
        }
    }

    [Test]
    public async Task AResetByTheServerReadsAsConnectionReset(CancellationToken token)
    {
        await using var resetting = new ResettingServer();
        var result = await _http.ProbeAsync(HealthTestZones.Target("http", "127.0.0.1", ("port", $"{resetting.Port}")), token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Is.EqualTo("connection reset"));
    }

    [Test]
    public async Task AnHttpConnectStillUnderWayIsWaitedFor(CancellationToken token)
    {
        // As TcpCheckerTests.ConnectStillUnderWayIsWaitedFor, for http: the SYN is dropped, the
        // retry connects once the backlog is drained, and the request then goes out and is answered.
        using var backlog = await TcpCheckerTests.FullBacklog.StartAsync(token);
        var target = HealthTestZones.Target("http", "127.0.0.1", ("port", $"{backlog.EndPoint.Port}"), ("interval", "10s"), ("timeout", "5s"));
        var probe = ProbeRunner.ProbeAsync(_http, target, TimeProvider.System, token);
        await Task.Delay(300, token);
        Assert.That(probe.IsCompleted, Is.False, "the first SYN was dropped");
        var accepted = new List<Socket>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(4);
        backlog.Listener.Blocking = false;
        while (!probe.IsCompleted && DateTime.UtcNow < until)
        {
            try
            {
                var socket = backlog.Listener.Accept();
                accepted.Add(socket);
                _ = AnswerAsync(socket);
            }
            catch (SocketException)
            {
                await Task.Delay(20, token);
            }
        }

        var result = await probe;
        accepted.ForEach(a => a.Dispose());
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(result.Detail, Does.StartWith("HTTP 200"));

        async Task AnswerAsync(Socket socket)
        {
            try
            {
                socket.Blocking = true;
                var buffer = new byte[4096];
                int total = 0;
                while (total == 0 || !buffer.AsSpan(0, total).EndsWith("\r\n\r\n"u8))
                {
                    int read = await socket.ReceiveAsync(buffer.AsMemory(total), token);
                    if (read == 0)
                    {
                        return;
                    }

                    total += read;
                }

                await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // a filler connection, or the test ended
            }
        }
    }

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>Accepts, reads the request, and closes with a reset (linger 0).</summary>
    private sealed class ResettingServer : IAsyncDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        public ResettingServer()
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _accepting = LoopbackAccept.EachAsync(_listener, ServeAsync, _stop.Token);
        }

        public int Port { get; }

        public async ValueTask DisposeAsync() => await LoopbackAccept.StopAsync(_listener, _stop, _accepting);

        private async Task ServeAsync(Socket socket)
        {
            using var _ = socket;
            await socket.ReceiveAsync(new byte[4096], _stop.Token);
            socket.LingerState = new LingerOption(true, 0);
        }
    }
}
