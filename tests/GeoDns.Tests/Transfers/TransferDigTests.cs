using System.Net.Sockets;
using System.Text.RegularExpressions;
using GeoDns.Core.Dns;
using GeoDns.Health;
using GeoDns.Tests.EndToEnd;

namespace GeoDns.Tests.Transfers;

/// <summary>
/// AXFR/IXFR from a real <c>geodns serve</c> with TSIG, asked by <c>dig -y</c>: the right key
/// gets the zone as plain records (pools as their current answer) in several signed messages; a
/// wrong secret, an unknown key, no key or a source outside the rule's networks are refused,
/// each with one log line; AXFR over UDP is refused.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed partial class TransferDigTests
{
    private const string ZoneText = """
        $ORIGIN example.test.
        $TTL 300
        @        SOA    ns1 hostmaster 7 7200 900 1209600 60
        @        NS     ns1
        ns1      A      192.0.2.53
        info     TXT    "hello"
        private  TYPE65300 \# 2 0102
        $REGION  eu  continents=EU
        $REGION  us  continents=NA
        www      CNAME  www.gtm
        www.gtm  30  POOL    A  policy=geo fallback=failover max-answers=1 if-all-down=all
        www.gtm  30  MEMBER  eu  192.0.2.10 priority=1
        www.gtm  30  MEMBER  us  192.0.2.20 priority=2
        """;

    private TransferFixture _fixture = null!;
    private ServeInstance _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        // 3000 more names: the transfer needs several messages.
        string bulk = string.Concat(Enumerable.Range(1, 3000).Select(i => $"h{i} A 192.0.2.{(i % 250) + 1}\n"));
        // An RRset that nearly fills a 1232-octet UDP reply on its own: its signed reply must still fit.
        bulk += string.Concat(Enumerable.Range(1, 5).Select(i => $"big TXT \"{i}{new string('x', 220)}\"\n"));
        _fixture = new TransferFixture(ZoneText + "\n" + bulk);
        _server = _fixture.Serve("xfr");
        using var start = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _server.WaitReadyAsync("www.gtm.example.test.", "192.0.2.10", TimeSpan.FromSeconds(60), start.Token);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _server?.Dispose();
        _fixture?.Dispose();
    }

    private Task<string> Dig(string arguments) => TransferFixture.Dig(_server.Dns, arguments);

    private string Key => $"-y hmac-sha256:xfr:{_fixture.Secret}";

    [Test]
    public async Task TheRightKeyGetsTheZoneAsPlainRecordsInSeveralSignedMessages()
    {
        string output = await Dig($"example.test AXFR {Key}");
        Assert.That(output, Does.Not.Contain("Transfer failed").And.Not.Contain("tsig verify failure").And.Not.Contain("Couldn't verify"));
        var size = XfrSize().Match(output);
        Assert.That(size.Success, Is.True, output);
        Assert.That(int.Parse(size.Groups[1].Value), Is.EqualTo(3000 + 5 + 6 + 1), "SOA, NS, ns1, info, www, the pool, 3000 names, 5 TXT, SOA");
        Assert.That(int.Parse(size.Groups[2].Value), Is.GreaterThan(3), "several messages");
        Assert.That(output, Does.Contain("www.gtm.example.test.\t30\tIN\tA\t192.0.2.10"));
        Assert.That(output, Does.Not.Contain("www.gtm.example.test.\t30\tIN\tA\t192.0.2.20"), "one member: the fallback view's answer");
        Assert.That(output, Does.Not.Contain("TYPE65300").And.Not.Contain("POOL").And.Not.Contain("MEMBER"));
        Assert.That(Regex.Matches(output, @"\tSOA\t").Count, Is.EqualTo(2), "SOA first and last");
        Assert.That(Regex.Matches(output, @"\tTSIG\t").Count, Is.EqualTo(int.Parse(size.Groups[2].Value)), "every message signed");
    }

    [Test]
    public async Task TheSha512KeyIsVerifiedButNotAllowedForTheZone()
    {
        string output = await Dig($"example.test AXFR -y hmac-sha512:other:{_fixture.OtherSecret}");
        Assert.That(output, Does.Contain("Transfer failed").And.Not.Contain("192.0.2.53"));
        Assert.That(output, Does.Not.Contain("Couldn't verify"), "the REFUSED reply is signed with the key");
        await WaitForLog("AXFR of example.test. from 127.0.0.1 refused: key other. is not allowed for the zone");
    }

    [Test]
    public async Task AWrongSecretIsBadSig()
    {
        string wrong = Convert.ToBase64String(new byte[32]);
        string output = await Dig($"example.test AXFR -y hmac-sha256:xfr:{wrong}");
        Assert.That(output, Does.Contain("BADSIG").And.Contain("Transfer failed").And.Not.Contain("192.0.2.53"));
        await WaitForLog("AXFR of example.test. from 127.0.0.1 refused: TSIG BadSig (key xfr.)");
    }

    [Test]
    public async Task AnUnknownKeyIsBadKey()
    {
        string output = await Dig($"example.test AXFR -y hmac-sha256:nosuchkey:{_fixture.Secret}");
        Assert.That(output, Does.Contain("BADKEY").And.Not.Contain("192.0.2.53"));
        await WaitForLog("refused: TSIG BadKey (key nosuchkey.)");
    }

    [Test]
    public async Task NoKeyIsRefused()
    {
        string output = await Dig("example.test AXFR");
        Assert.That(output, Does.Contain("Transfer failed").And.Not.Contain("192.0.2.53"));
        await WaitForLog("AXFR of example.test. from 127.0.0.1 refused: not signed (a transfer needs a TSIG key)");
    }

    [Test]
    public async Task ASourceOutsideTheRulesNetworksIsRefused()
    {
        string output = await Dig($"refused.test AXFR {Key}");
        Assert.That(output, Does.Contain("Transfer failed").And.Not.Contain("192.0.2.53"));
        await WaitForLog("AXFR of refused.test. from 127.0.0.1 refused: source address not allowed");
    }

    [Test]
    public async Task IxfrFromTheCurrentSerialIsTheSoaAloneAndFromAnOlderOneTheWholeZone()
    {
        // The served serial is GeoDns's (file serial 7, moved on to the clock: docs/transfers.md).
        string serial = (await Dig("example.test SOA +short")).Split(' ')[2];
        Assert.That(uint.Parse(serial), Is.GreaterThan(1_700_000_000u), "max(file serial, Unix time)");
        string current = await Dig($"example.test IXFR={serial} {Key} +noall +answer");
        Assert.That(Regex.Matches(current, @"\tSOA\t").Count, Is.EqualTo(1), current);
        Assert.That(current, Does.Not.Contain("192.0.2.53"));

        string older = await Dig($"example.test IXFR=3 {Key} +noall +answer");
        Assert.That(older, Does.Contain("ns1.example.test.\t300\tIN\tA\t192.0.2.53"));
        Assert.That(Regex.Matches(older, @"\tSOA\t").Count, Is.EqualTo(2), "RFC 1995 4: the full zone, AXFR style");
    }

    [Test]
    public async Task ASignedSoaQueryOverUdpGetsASignedAnswer()
    {
        string output = await Dig($"example.test SOA {Key} +norec");
        Assert.That(output, Does.Contain("status: NOERROR").And.Contain("\tSOA\tns1.example.test."));
        Assert.That(output, Does.Contain("TSIG\thmac-sha256.").And.Not.Contain("WARNING -- Some TSIG could not be validated"));
    }

    [Test]
    public async Task ASignedReplyNearTheUdpLimitKeepsRoomForItsSignature()
    {
        string output = await Dig($"big.example.test TXT {Key} +norec +bufsize=1232 +notcp +ignore");
        Assert.That(output, Does.Contain("TSIG\thmac-sha256.").And.Not.Contain("timed out").And.Not.Contain("could not be validated"));
        var size = Regex.Match(output, @"MSG SIZE\s+rcvd: (\d+)");
        Assert.That(size.Success, Is.True, output);
        Assert.That(int.Parse(size.Groups[1].Value), Is.LessThanOrEqualTo(1232), "signed, within what the client can take");
    }

    [Test]
    public async Task AxfrOverUdpIsRefused()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(_server.Dns);
        await socket.SendAsync(DnsProbeMessage.BuildQuery(0x1234, DnsName.Parse("example.test."), RecordType.AXFR), SocketFlags.None);
        var buffer = new byte[1500];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token);
        Assert.That(DnsProbeMessage.TryReadResponse(buffer.AsSpan(0, n), 0x1234, out int rcode, out _), Is.True);
        Assert.That(rcode, Is.EqualTo(5), "REFUSED (RFC 5936 4.2: AXFR is a TCP transfer)");
    }

    [Test]
    public async Task MangledSignedMessagesNeverKillTheServer()
    {
        var key = new GeoDns.Transfers.TsigKey(DnsName.Parse("xfr."), "hmac-sha256", Convert.FromBase64String(_fixture.Secret));
        var random = new Random(5936);
        foreach (ushort type in new[] { RecordType.SOA, RecordType.AXFR })
        {
            var query = DnsProbeMessage.BuildQuery(0x4242, DnsName.Parse("example.test."), type);
            var buffer = new byte[query.Length + 200];
            query.CopyTo(buffer, 0);
            int length = GeoDns.Transfers.Tsig.Sign(buffer, query.Length, key, [], timersOnly: false, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), out _);
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            await udp.ConnectAsync(_server.Dns);
            for (int i = 0; i < 300; i++)
            {
                var packet = buffer[..length];
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                {
                    packet[random.Next(packet.Length)] = (byte)random.Next(256);
                }

                packet = packet[..random.Next(DnsWireHeader, packet.Length + 1)];
                await udp.SendAsync(packet, SocketFlags.None);
                if (i % 30 == 0)
                {
                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync(_server.Dns);
                    var framed = new byte[packet.Length + 2];
                    framed[0] = (byte)(packet.Length >> 8);
                    framed[1] = (byte)packet.Length;
                    packet.CopyTo(framed, 2);
                    await tcp.GetStream().WriteAsync(framed);
                }
            }
        }

        string output = await Dig($"example.test SOA {Key} +norec");
        Assert.That(output, Does.Contain("status: NOERROR").And.Contain("TSIG\thmac-sha256."), "still answering, still signing");
        Assert.That(_server.Output, Does.Not.Contain("Unhandled exception").And.Not.Contain("TCP connection from"));
    }

    private const int DnsWireHeader = 12;

    private async Task WaitForLog(string text)
    {
        for (int i = 0; i < 50 && !_server.Output.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        Assert.That(_server.Output, Does.Contain(text));
    }

    [GeneratedRegex(@"XFR size: (\d+) records \(messages (\d+),")]
    private static partial Regex XfrSize();
}
