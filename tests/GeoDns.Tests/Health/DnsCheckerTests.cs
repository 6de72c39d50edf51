using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

[CancelAfter(20_000)]
public sealed class DnsCheckerTests
{
    private readonly DnsChecker _checker = new();

    [Test]
    public async Task MatchingRcodeAndAnswerIsUp(CancellationToken token)
    {
        await using var server = new TinyDnsResponder(rcode: 0, answer: IPAddress.Parse("192.0.2.7"));
        var result = await _checker.ProbeAsync(Target(server, ("name", "www.example.com."), ("type", "A"), ("answer", "192.0.2.7")), token);
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(server.LastQuestion, Is.EqualTo("www.example.com. type 1"));
    }

    [Test]
    public async Task MissingAnswerIsDown(CancellationToken token)
    {
        await using var server = new TinyDnsResponder(rcode: 0, answer: IPAddress.Parse("192.0.2.7"));
        var result = await _checker.ProbeAsync(Target(server, ("name", "www.example.com."), ("answer", "192.0.2.8")), token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Does.Contain("192.0.2.7"));
    }

    [Test]
    public async Task RcodeMustMatch(CancellationToken token)
    {
        await using var server = new TinyDnsResponder(rcode: 2, answer: null);
        var servfail = await _checker.ProbeAsync(Target(server), token);
        var expected = await _checker.ProbeAsync(Target(server, ("rcode", "SERVFAIL")), token);
        Assert.That(servfail.Success, Is.False);
        Assert.That(servfail.Detail, Does.Contain("SERVFAIL"));
        Assert.That(expected.Success, Is.True, expected.Detail);
    }

    [Test]
    public async Task NoServerIsDownQuickly(CancellationToken token)
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }

        var target = HealthTestZones.Target("dns", "127.0.0.1", ("port", $"{port}"), ("interval", "2s"), ("timeout", "1s"));
        var result = await ProbeRunner.ProbeAsync(_checker, target, TimeProvider.System, token);
        Assert.That(result.Success, Is.False);
    }

    private static GeoDns.Core.Health.ProbeTarget Target(TinyDnsResponder server, params (string, string)[] settings) =>
        HealthTestZones.Target("dns", "127.0.0.1", [("port", $"{server.Port}"), .. settings]);

    /// <summary>Answers every query with a fixed rcode and at most one A record.</summary>
    private sealed class TinyDnsResponder : IAsyncDisposable
    {
        private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public TinyDnsResponder(int rcode, IPAddress? answer)
        {
            Port = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
            _loop = Task.Run(() => ServeAsync(rcode, answer));
        }

        public int Port { get; }

        public string? LastQuestion { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _udp.Dispose();
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
            _stop.Dispose();
        }

        private async Task ServeAsync(int rcode, IPAddress? answer)
        {
            while (!_stop.IsCancellationRequested)
            {
                UdpReceiveResult query;
                try
                {
                    query = await _udp.ReceiveAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                var q = query.Buffer;
                int end = 12;
                var labels = new List<string>();
                while (q[end] != 0)
                {
                    labels.Add(System.Text.Encoding.ASCII.GetString(q, end + 1, q[end]));
                    end += q[end] + 1;
                }

                end += 5;
                LastQuestion = $"{string.Join('.', labels)}. type {BinaryPrimitives.ReadUInt16BigEndian(q.AsSpan(end - 4))}";
                var response = new List<byte>(q[..end]);
                response[2] = (byte)(0x80 | (q[2] & 0x01));
                response[3] = (byte)rcode;
                if (answer is not null)
                {
                    response[7] = 1;
                    response.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
                    response.AddRange(answer.GetAddressBytes());
                }

                await _udp.SendAsync(response.ToArray(), query.RemoteEndPoint, _stop.Token);
            }
        }
    }
}
