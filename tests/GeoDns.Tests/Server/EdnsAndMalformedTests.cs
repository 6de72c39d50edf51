using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace GeoDns.Tests.Server;

/// <summary>EDNS(0) (RFC 6891), Client Subnet echo (RFC 7871) and hostile input over real UDP.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class EdnsAndMalformedTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["example.test.zone"] = TestZones.Conformance(),
            ["limits.test.zone"] = TestZones.Limits(),
        });
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private async Task<byte[]> Raw(QueryBuilder query) =>
        await DnsTestClient.UdpRawAsync(_server.EndPoint, query.Build()) ?? throw new TimeoutException("no reply");

    private async Task AssertStillAnswers()
    {
        var reply = await DnsTestClient.UdpAsync(_server.EndPoint, new QueryBuilder { Name = "www.example.test." });
        Assert.That(reply.AnswerRecords, Has.Count.EqualTo(2), "the server keeps answering");
    }

    [Test]
    public async Task OptIsEchoedOnlyWhenAsked()
    {
        var with = DnsMessage.Parse(await Raw(new QueryBuilder { Name = "www.example.test.", Edns = true, UdpSize = 4096, DnssecOk = true }));
        Assert.Multiple(() =>
        {
            Assert.That(with.IsEDnsEnabled, Is.True);
            Assert.That(with.EDnsOptions!.UdpPayloadSize, Is.EqualTo(1232), "the server's own limit is advertised");
            Assert.That(with.EDnsOptions.Version, Is.EqualTo(0));
            Assert.That(with.IsDnsSecOk, Is.True, "RFC 3225: DO is copied");
        });
        var without = DnsMessage.Parse(await Raw(new QueryBuilder { Name = "www.example.test." }));
        Assert.That(without.IsEDnsEnabled, Is.False);
        Assert.That(without.AdditionalRecords, Is.Empty);
    }

    [Test]
    public async Task UnknownEdnsVersionGetsBadVers()
    {
        var raw = await Raw(new QueryBuilder { Name = "www.example.test.", Edns = true, EdnsVersion = 1 });
        Assert.That(raw[3] & 0xF, Is.EqualTo(0), "header RCODE holds the low bits of 16");
        var reply = DnsMessage.Parse(raw);
        Assert.That(reply.AnswerRecords, Is.Empty);
        Assert.That(reply.EDnsOptions, Is.Not.Null);
        Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.BadVersion));
        Assert.That(reply.EDnsOptions!.Version, Is.EqualTo(0));
    }

    [Test]
    public async Task TwoOptRecordsAreFormErr()
    {
        var raw = await Raw(new QueryBuilder { Name = "www.example.test.", Edns = true, ExtraOptRecords = 1 });
        Assert.That(raw[3] & 0xF, Is.EqualTo(1));
    }

    [Test]
    public async Task UnknownOptionsAreIgnored()
    {
        var reply = DnsMessage.Parse(await Raw(new QueryBuilder
        {
            Name = "www.example.test.",
            Edns = true,
            Options = [(65001, [1, 2, 3]), (12, new byte[700])],
        }));
        Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
        Assert.That(reply.AnswerRecords, Has.Count.EqualTo(2), "a query over 512 octets is answered too");
    }

    [Test]
    public async Task UdpPayloadIsCappedAt1232()
    {
        var reply = DnsMessage.Parse(await Raw(new QueryBuilder { Name = "huge.example.test.", Type = 16, Edns = true, UdpSize = 4096 }));
        Assert.That(reply.IsTruncated, Is.True, "a 1,500-octet TXT fits the client's 4096 but not the server's 1232");
        var fits = DnsMessage.Parse(await Raw(new QueryBuilder { Name = "big.example.test.", Type = 16, Edns = true, UdpSize = 4096 }));
        Assert.That(fits.IsTruncated, Is.False, "an 800-octet TXT fits in 1232");
    }

    [TestCase((ushort)0)]
    [TestCase((ushort)100)]
    [TestCase((ushort)511)]
    public async Task SmallAdvertisedSizeBelow512IsTreatedAs512(ushort advertised)
    {
        // A reply of exactly 512 octets (OPT included) is sent whole ...
        var fitsRaw = await Raw(new QueryBuilder { Name = "fits.limits.test.", Type = 16, Edns = true, UdpSize = advertised });
        var fits = DnsMessage.Parse(fitsRaw);
        Assert.Multiple(() =>
        {
            Assert.That(fitsRaw, Has.Length.EqualTo(512));
            Assert.That(fits.IsTruncated, Is.False, $"512 octets fit although the client advertised {advertised}");
            Assert.That(fits.AnswerRecords.OfType<TxtRecord>().Single().TextParts.Sum(p => p.Length), Is.EqualTo(453));
        });

        // ... and one octet more is not: the floor is 512, not more.
        var over = DnsMessage.Parse(await Raw(new QueryBuilder { Name = "over.limits.test.", Type = 16, Edns = true, UdpSize = advertised }));
        Assert.Multiple(() =>
        {
            Assert.That(over.IsTruncated, Is.True, "a 513-octet reply exceeds 512");
            Assert.That(over.AnswerRecords, Is.Empty);
            Assert.That(over.IsEDnsEnabled, Is.True, "the truncated reply still carries OPT");
        });
    }

    [Test]
    public async Task ClientSubnetIsEchoedWithScopeZeroForStaticData()
    {
        var raw = await Raw(new QueryBuilder
        {
            Name = "www.example.test.",
            Edns = true,
            Options = [(8, QueryBuilder.Subnet(1, 24, 0, [198, 51, 100]))],
        });
        var reply = DnsMessage.Parse(raw);
        var subnet = reply.EDnsOptions!.Options.OfType<ClientSubnetOption>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(subnet.SourceNetmask, Is.EqualTo(24));
            Assert.That(subnet.ScopeNetmask, Is.EqualTo(0));
            Assert.That(subnet.Address.ToString(), Is.EqualTo("198.51.100.0"));
        });
    }

    [TestCase(1, 24, 8, new byte[] { 198, 51, 100 }, TestName = "ECS with a non-zero scope")]
    [TestCase(1, 24, 0, new byte[] { 198, 51, 100, 7 }, TestName = "ECS address longer than its prefix")]
    [TestCase(1, 20, 0, new byte[] { 198, 51, 101 }, TestName = "ECS address bits beyond the prefix")]
    [TestCase(1, 33, 0, new byte[] { 1, 2, 3, 4, 5 }, TestName = "ECS IPv4 prefix over 32")]
    [TestCase(3, 8, 0, new byte[] { 1 }, TestName = "ECS unknown family")]
    public async Task InvalidClientSubnetIsFormErr(int family, int source, int scope, byte[] address)
    {
        var raw = await Raw(new QueryBuilder
        {
            Name = "www.example.test.",
            Edns = true,
            Options = [(8, QueryBuilder.Subnet((ushort)family, (byte)source, (byte)scope, address))],
        });
        Assert.That(raw[3] & 0xF, Is.EqualTo(1));
        await AssertStillAnswers();
    }

    [TestCase(2)]
    [TestCase(5)]
    public async Task OtherOpcodesAreNotImplemented(int opcode)
    {
        var raw = await Raw(new QueryBuilder { Name = "www.example.test.", Opcode = opcode });
        Assert.That(raw[3] & 0xF, Is.EqualTo(4));
        Assert.That((raw[2] >> 3) & 0xF, Is.EqualTo(opcode), "the opcode is echoed");
    }

    [Test]
    public async Task ResponsesAreIgnored()
    {
        var packet = new QueryBuilder { Name = "www.example.test." }.Build();
        packet[2] |= 0x80;
        Assert.That(await DnsTestClient.UdpRawAsync(_server.EndPoint, packet, TimeSpan.FromMilliseconds(500)), Is.Null);
        await AssertStillAnswers();
    }

    [Test]
    public async Task NonInternetClassIsRefused()
    {
        var raw = await Raw(new QueryBuilder { Name = "www.example.test.", Class = 3 });
        Assert.That(raw[3] & 0xF, Is.EqualTo(5));
    }

    [Test]
    public async Task ZoneTransferIsRefused()
    {
        var reply = await DnsTestClient.TcpAsync(_server.EndPoint, new QueryBuilder { Name = "example.test.", Type = 252 });
        Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.Refused));
    }

    [Test]
    public async Task MalformedPacketsNeverKillTheServer()
    {
        var random = new Random(1234);
        var good = new QueryBuilder { Name = "www.example.test.", Edns = true, Options = [(8, QueryBuilder.Subnet(1, 24, 0, [1, 2, 3]))] }.Build();
        using var socket = new Socket(System.Net.Sockets.AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(_server.EndPoint);
        for (int i = 0; i < 2000; i++)
        {
            byte[] packet;
            switch (i % 4)
            {
                case 0:
                    packet = new byte[random.Next(0, 600)];
                    random.NextBytes(packet);
                    break;
                case 1:
                    packet = good[..random.Next(0, good.Length)]; // every truncation
                    break;
                case 2:
                    packet = (byte[])good.Clone();
                    packet[random.Next(packet.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                default:
                    packet = (byte[])good.Clone();
                    packet[random.Next(2, packet.Length)] = (byte)random.Next(256);
                    packet[random.Next(2, packet.Length)] = (byte)random.Next(256);
                    break;
            }

            socket.Send(packet);
        }

        await Task.Delay(200);
        await AssertStillAnswers();
    }

    [TestCase(new byte[] { 0x12, 0x34, 0x01, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0 }, 1, TestName = "no question")]
    [TestCase(new byte[] { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 3, (byte)'w', (byte)'w' }, 1, TestName = "question cut short")]
    [TestCase(new byte[] { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1 }, 1, TestName = "compression pointer in the question")]
    [TestCase(new byte[] { 0x12, 0x34, 0x01, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1 }, 1, TestName = "two questions")]
    public async Task BrokenQuestionsAreFormErr(byte[] packet, int rcode)
    {
        var raw = await DnsTestClient.UdpRawAsync(_server.EndPoint, packet);
        Assert.That(raw, Is.Not.Null);
        Assert.That(raw![3] & 0xF, Is.EqualTo(rcode));
        Assert.That(raw[0..2], Is.EqualTo(packet[0..2]), "the ID is copied");
        await AssertStillAnswers();
    }
}
