using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core.Health;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

/// <summary>
/// The <c>dns</c> checker against a real authoritative server (Knot DNS on 127.0.0.2); a stub
/// only for what a real server does not do: never answering, answering with another ID.
/// </summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class DnsCheckerTests
{
    private const string Zone = """
        $ORIGIN example.com.
        $TTL 60
        @      SOA   ns1 hostmaster 1 3600 900 604800 60
        @      NS    ns1
        @      NS    ns2.example.net.
        ns1    A     127.0.0.53
        www    A     192.0.2.7
        www    AAAA  2001:db8::7
        alias  CNAME www
        """;

    private readonly DnsChecker _checker = new();
    private KnotServer? _knot;

    [OneTimeSetUp]
    public async Task StartKnot() =>
        _knot = await KnotServer.StartAsync(new Dictionary<string, string?>
        {
            ["example.com."] = Zone,
            ["broken.test."] = null, // declared without a file: Knot answers SERVFAIL
        });

    [OneTimeTearDown]
    public void StopKnot() => _knot?.Dispose();

    private ProbeTarget Knot(params (string, string)[] settings) =>
        HealthTestZones.Target("dns", KnotServer.Address.ToString(), [("port", $"{_knot!.Port}"), .. settings]);

    private Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken token) => _checker.ProbeAsync(target, token);

    [Test]
    public async Task MatchingRcodeAndAnswerIsUp(CancellationToken token)
    {
        var result = await ProbeAsync(Knot(("name", "www.example.com."), ("type", "A"), ("answer", "192.0.2.7")), token);
        Assert.That(result.Success, Is.True, result.Detail);
        Assert.That(result.Detail, Does.Contain("NOERROR"));
    }

    [Test]
    public async Task TheTypeAskedIsTheTypeAnswered(CancellationToken token)
    {
        var aaaa = await ProbeAsync(Knot(("name", "www.example.com."), ("type", "AAAA"), ("answer", "2001:db8::7")), token);
        var a = await ProbeAsync(Knot(("name", "www.example.com."), ("type", "A"), ("answer", "2001:db8::7")), token);
        Assert.That(aaaa.Success, Is.True, aaaa.Detail);
        Assert.That(a.Success, Is.False);
        Assert.That(a.Detail, Does.Contain("got 192.0.2.7"));
    }

    [Test]
    public async Task MissingAnswerIsDown(CancellationToken token)
    {
        var result = await ProbeAsync(Knot(("name", "www.example.com."), ("answer", "192.0.2.8"), ("type", "A")), token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Does.Contain("lacks 192.0.2.8").And.Contain("192.0.2.7"));
    }

    [Test]
    public async Task NamesInAnswersAreReadThroughCompression(CancellationToken token)
    {
        // Knot compresses the CNAME target and the in-zone NS name against the question.
        var cname = await ProbeAsync(Knot(("name", "alias.example.com."), ("type", "CNAME"), ("answer", "www.example.com")), token);
        var ns = await ProbeAsync(Knot(("name", "example.com."), ("type", "NS"), ("answer", "ns1.example.com.")), token);
        var other = await ProbeAsync(Knot(("name", "example.com."), ("type", "NS"), ("answer", "ns2.example.net.")), token);
        var absent = await ProbeAsync(Knot(("name", "example.com."), ("type", "NS"), ("answer", "ns3.example.com.")), token);
        Assert.Multiple(() =>
        {
            Assert.That(cname.Success, Is.True, cname.Detail);
            Assert.That(ns.Success, Is.True, ns.Detail);
            Assert.That(other.Success, Is.True, other.Detail);
            Assert.That(absent.Success, Is.False);
            Assert.That(absent.Detail, Does.Contain("ns1.example.com.").And.Contain("ns2.example.net."));
        });
    }

    [TestCase("nope.example.com.", "NXDOMAIN")]
    [TestCase("www.broken.test.", "SERVFAIL")]
    [TestCase("www.example.org.", "REFUSED")]
    public async Task RcodeMustMatch(string name, string rcode, CancellationToken token)
    {
        var byDefault = await ProbeAsync(Knot(("name", name), ("type", "A")), token);
        var expected = await ProbeAsync(Knot(("name", name), ("type", "A"), ("rcode", rcode)), token);
        var ok = await ProbeAsync(Knot(("name", "www.example.com."), ("type", "A"), ("rcode", rcode)), token);
        Assert.Multiple(() =>
        {
            Assert.That(byDefault.Success, Is.False, "NOERROR is expected by default");
            Assert.That(byDefault.Detail, Does.Contain($"rcode {rcode}, expected NOERROR"));
            Assert.That(expected.Success, Is.True, expected.Detail);
            Assert.That(ok.Success, Is.False, "a NOERROR answer when " + rcode + " is expected");
            Assert.That(ok.Detail, Does.Contain($"rcode NOERROR, expected {rcode}"));
        });
    }

    [Test]
    public async Task NoServerIsDown(CancellationToken token)
    {
        int port;
        using (var probe = new UdpClient(new IPEndPoint(KnotServer.Address, 0)))
        {
            port = ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
        }

        var target = HealthTestZones.Target("dns", KnotServer.Address.ToString(), ("port", $"{port}"), ("interval", "2s"), ("timeout", "1s"));
        var result = await ProbeRunner.ProbeAsync(_checker, target, TimeProvider.System, token);
        Assert.That(result.Success, Is.False);
    }

    [Test]
    public async Task ServerThatNeverAnswersTimesOut(CancellationToken token)
    {
        await using var silent = new StubResponder(reply: null);
        var target = HealthTestZones.Target("dns", "127.0.0.1", ("port", $"{silent.Port}"), ("interval", "1s"), ("timeout", "300ms"));
        var result = await ProbeRunner.ProbeAsync(_checker, target, TimeProvider.System, token);
        Assert.That(result.Success, Is.False);
        Assert.That(result.Detail, Does.Contain("timed out"));
        Assert.That(silent.Queries, Is.EqualTo(1));
    }

    [Test]
    public async Task ReplyWithAnotherIdIsIgnored(CancellationToken token)
    {
        // First a reply with the wrong ID (and a wrong address), then the real one.
        await using var both = new StubResponder(reply: IPAddress.Parse("192.0.2.7"), wrongIdFirst: IPAddress.Parse("192.0.2.66"));
        var result = await ProbeAsync(HealthTestZones.Target("dns", "127.0.0.1", ("port", $"{both.Port}"), ("name", "www.example.com."),
            ("type", "A"), ("answer", "192.0.2.7")), token);
        Assert.That(result.Success, Is.True, result.Detail);

        // Only a reply with the wrong ID: nothing to judge, the probe times out.
        await using var wrongOnly = new StubResponder(reply: null, wrongIdFirst: IPAddress.Parse("192.0.2.7"));
        var target = HealthTestZones.Target("dns", "127.0.0.1", ("port", $"{wrongOnly.Port}"), ("name", "www.example.com."), ("type", "A"),
            ("interval", "1s"), ("timeout", "300ms"));
        var timedOut = await ProbeRunner.ProbeAsync(_checker, target, TimeProvider.System, token);
        Assert.That(timedOut.Success, Is.False);
        Assert.That(timedOut.Detail, Does.Contain("timed out"));
    }

    /// <summary>
    /// What a real server does not do: it reads each query and answers with <paramref name="wrongIdFirst"/>
    /// under another ID (if given), then with <paramref name="reply"/> under the query's ID (if given).
    /// </summary>
    private sealed class StubResponder : IAsyncDisposable
    {
        private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _queries;

        public StubResponder(IPAddress? reply, IPAddress? wrongIdFirst = null)
        {
            Port = ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;
            _loop = Task.Run(() => ServeAsync(reply, wrongIdFirst));
        }

        public int Port { get; }

        public int Queries => Volatile.Read(ref _queries);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _udp.Dispose();
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
            _stop.Dispose();
        }

        private async Task ServeAsync(IPAddress? reply, IPAddress? wrongIdFirst)
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

                Interlocked.Increment(ref _queries);
                if (wrongIdFirst is not null)
                {
                    var wrong = Response(query.Buffer, wrongIdFirst);
                    BinaryPrimitives.WriteUInt16BigEndian(wrong, (ushort)(BinaryPrimitives.ReadUInt16BigEndian(wrong) ^ 0x5A5A));
                    await _udp.SendAsync(wrong, query.RemoteEndPoint, _stop.Token);
                }

                if (reply is not null)
                {
                    await _udp.SendAsync(Response(query.Buffer, reply), query.RemoteEndPoint, _stop.Token);
                }
            }
        }

        /// <summary>The query turned into a NOERROR response with one A record for the question.</summary>
        private static byte[] Response(byte[] query, IPAddress answer)
        {
            int end = 12;
            while (query[end] != 0)
            {
                end += query[end] + 1;
            }

            end += 5;
            var response = new List<byte>(query[..end]);
            response[2] = (byte)(0x80 | (query[2] & 0x01));
            response[3] = 0;
            response[7] = 1;
            response.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
            response.AddRange(answer.GetAddressBytes());
            return [.. response];
        }
    }
}
