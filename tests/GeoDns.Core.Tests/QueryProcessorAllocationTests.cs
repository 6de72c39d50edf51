using System.Buffers.Binary;
using GeoDns.Core.Cookies;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Tests.Traffic;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests;

/// <summary>
/// The query path allocates nothing in steady state: not one byte over a whole loop of every
/// kind of query, static and traffic-managed, truncated or not, over UDP and over TCP.
/// </summary>
public sealed class QueryProcessorAllocationTests
{
    private const int Warmup = 2_000;
    private const int Measured = 20_000;

    private static readonly string ZoneText = $"""
        $ORIGIN example.test.
        $TTL 300
        $REGION us-east continents=NA countries=US lat=38.9 lon=-77.4
        $REGION eu-west continents=EU countries=GB lat=53.3 lon=-6.2 cidrs=203.0.113.0/24
        @        SOA ns1 hostmaster 1 3600 900 604800 120
        @        NS  ns1
        @        NS  ns2
        ns1      A   192.0.2.53
        {string.Join('\n', Enumerable.Range(1, 24).Select(i => $"ns2 AAAA 2001:db8::{i:x}"))}
        www      A   192.0.2.1
        www      A   192.0.2.2
        alias    CNAME www
        *.wild   A   192.0.2.99
        sub      NS  ns.sub
        ns.sub   A   192.0.2.77
        {string.Join('\n', Enumerable.Range(1, 40).Select(i => $"many A 192.0.2.{i}"))}
        big      TXT {string.Join(' ', Enumerable.Range(0, 4).Select(i => "\"" + new string((char)('a' + i), 200) + "\""))}
        app      CNAME weighted
        weighted 30 POOL   A policy=weighted
        weighted 30 MEMBER us-east 192.0.2.10 weight=3
        weighted 30 MEMBER eu-west 198.51.100.10 weight=1
        sticky   30 POOL   A policy=weighted sticky=subnet
        sticky   30 MEMBER us-east 192.0.2.10 weight=3
        sticky   30 MEMBER eu-west 198.51.100.10 weight=1
        geo      30 POOL   A policy=geo fallback=nearest
        geo      30 MEMBER us-east 192.0.2.10
        geo      30 MEMBER us-east 192.0.2.11
        geo      30 MEMBER eu-west 198.51.100.10
        failover 30 POOL   A policy=failover
        failover 30 MEMBER us-east 192.0.2.10
        failover 30 MEMBER eu-west 198.51.100.10
        nearest  30 POOL   A policy=nearest
        nearest  30 MEMBER us-east 192.0.2.10
        nearest  30 MEMBER eu-west 198.51.100.10
        all      30 POOL   A policy=all
        all      30 MEMBER us-east 192.0.2.10
        all      30 MEMBER eu-west 198.51.100.10
        v6       30 POOL   AAAA policy=geo fallback=failover
        v6       30 MEMBER us-east 2001:db8::10
        v6       30 MEMBER eu-west 2001:db8::20
        """;

    /// <summary>One query of the loop: its bytes, the transport, and the source address as the listener sees it.</summary>
    private sealed record Case(string Name, byte[] Query, bool OverTcp, byte[] Source, Func<byte[], bool> Check);

    [Test]
    public void EveryKindOfQueryAllocatesNothing()
    {
        var file = ZoneFileLoader.Parse(ZoneText, "example.test.zone", null, TrafficVocabulary.BuiltIn);
        Assert.That(file.HasErrors, Is.False, string.Join("\n", file.Diagnostics));
        var board = new HealthBoard();
        var locator = new TableLocator()
            .Add("81.2.69.160/27", country: "GB", continent: "EU", lat: 51.5, lon: -0.09)
            .Add("216.160.83.56/29", country: "US", continent: "NA", lat: 47.25, lon: -122.31)
            .Add("2001:db8:1::/48", country: "US", continent: "NA", lat: 40.7, lon: -74.0);
        var compiler = new TrafficCompiler(board, TrafficVocabulary.BuiltIn.Policies, locator, random: new SeededRandom(1));
        var cookies = new ServerCookies(Convert.FromHexString("e5e973e5a6b2a43f48e7dc849e37bfcf"), default, TimeProvider.System);
        var processor = new QueryProcessor(new Snapshot([ZonePipeline.BuildZone(file, compiler)])) { Cookies = cookies };

        // The failover pool's first member is down: every answer walks past it.
        board.Members.Single(m => m.Key == new MemberKey("failover.example.test.", "192.0.2.10")).SetOverride(MemberOverride.ForceDown);

        byte[] v4 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 216, 160, 83, 57];
        byte[] v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7];
        byte[] clientCookie = [1, 2, 3, 4, 5, 6, 7, 8];
        var validCookie = new byte[ServerCookies.ReplyLength];
        clientCookie.CopyTo(validCookie, 0);
        cookies.Make(validCookie, ClientAddress.FromIPv6(v4), cookies.Now());
        var otherCookie = (byte[])validCookie.Clone();
        otherCookie[^1] ^= 1;
        Case[] cases =
        [
            new("exact", Query("www.example.test", 1), false, v4, r => Answers(r) == 2),
            new("exact, other case, ECS", Query("WWW.Example.Test", 1, Ecs4(198, 51, 100)), false, v4, r => Answers(r) == 2 && HasOpt(r)),
            new("CNAME", Query("alias.example.test", 1), false, v4, r => Answers(r) == 3),
            new("wildcard, ECS", Query("a.b.wild.example.test", 1, Ecs4(198, 51, 100)), false, v4, r => Answers(r) == 1),
            new("NXDOMAIN", Query("nothing.example.test", 1), false, v4, r => Rcode(r) == 3),
            new("NODATA", Query("www.example.test", 28, Ecs4(198, 51, 100)), false, v4, r => Rcode(r) == 0 && Answers(r) == 0),
            new("referral", Query("x.sub.example.test", 1), false, v4, r => Authority(r) == 1 && Additional(r) == 1),
            new("REFUSED", Query("www.example.org", 1), false, v4, r => Rcode(r) == 5),
            new("FORMERR", [1, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1], false, v4, r => Rcode(r) == 1),
            new("truncated: 40 A in 512", Query("many.example.test", 1), false, v4, r => Truncated(r) && Answers(r) == 0),
            new("truncated: big TXT in 512", Query("big.example.test", 16), false, v4, r => Truncated(r)),
            new("additional dropped", Query("example.test", 2), false, v4, r => !Truncated(r) && Answers(r) == 2 && Additional(r) == 0),
            new("ANY over UDP", Query("example.test", 255), false, v4, r => Answers(r) >= 1),
            new("weighted", Query("weighted.example.test", 1), false, v4, r => Answers(r) == 1),
            new("CNAME into weighted, ECS", Query("app.example.test", 1, Ecs4(81, 2, 69)), false, v4, r => Answers(r) == 2),
            new("weighted sticky, ECS", Query("sticky.example.test", 1, Ecs4(81, 2, 69)), false, v4, r => Answers(r) == 1 && Scope(r) == 24),
            new("geo, ECS GB", Query("geo.example.test", 1, Ecs4(81, 2, 69, prefix: 28, last: 160)), false, v4, r => First(r) == "198.51.100.10" && Scope(r) == 27),
            new("geo, ECS CIDR rule", Query("geo.example.test", 1, Ecs4(203, 0, 113)), false, v4, r => First(r) == "198.51.100.10" && Scope(r) == 24),
            new("geo, source US", Query("geo.example.test", 1), false, v4, r => First(r) is "192.0.2.10" or "192.0.2.11"),
            new("geo, ECS IPv6", Query("geo.example.test", 1, Ecs6()), false, v6, r => First(r) is "192.0.2.10" or "192.0.2.11"),
            new("geo AAAA, IPv6 source", Query("v6.example.test", 28), false, v6, r => Answers(r) == 1),
            new("failover past a down member", Query("failover.example.test", 1), false, v4, r => First(r) == "198.51.100.10"),
            new("nearest, ECS", Query("nearest.example.test", 1, Ecs4(81, 2, 69, prefix: 28, last: 160)), false, v4, r => First(r) == "198.51.100.10"),
            new("all", Query("all.example.test", 1), false, v4, r => Answers(r) == 2),
            new("TCP: 40 A whole", Query("many.example.test", 1), true, v4, r => !Truncated(r) && Answers(r) == 40),
            new("TCP: big TXT whole", Query("big.example.test", 16), true, v4, r => !Truncated(r) && Answers(r) == 1),
            new("TCP: ANY, all RRsets", Query("example.test", 255), true, v6, r => Answers(r) >= 3),
            new("TCP: NS with glue", Query("example.test", 2), true, v4, r => Additional(r) == 25),
            new("TCP: geo, ECS", Query("geo.example.test", 1, Ecs4(81, 2, 69, prefix: 28, last: 160)), true, v4, r => First(r) == "198.51.100.10"),
            new("TCP: failover", Query("failover.example.test", 1), true, v6, r => First(r) == "198.51.100.10"),
            new("client cookie", Query("www.example.test", 1, cookie: clientCookie), false, v4, r => Answers(r) == 2 && Parse(r).Cookie == 24),
            new("valid server cookie, ECS", Query("geo.example.test", 1, Ecs4(81, 2, 69), validCookie), false, v4, r => Answers(r) == 1 && Parse(r).Cookie == 24),
            new("bad server cookie, NXDOMAIN", Query("nothing.example.test", 1, cookie: otherCookie), false, v4, r => Rcode(r) == 3 && Parse(r).Cookie == 24),
            new("TCP: server cookie from another address", Query("many.example.test", 1, cookie: validCookie), true, v6, r => Answers(r) == 40 && Parse(r).Cookie == 24),
            new("malformed cookie", Query("www.example.test", 1, cookie: [1, 2, 3]), false, v4, r => Rcode(r) == 1),
            new("server cookie request, no question", [1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 12, 0, 10, 0, 8, .. clientCookie],
                false, v4, r => Rcode(r) == 0 && r.Length == 12 + 11 + 28),
        ];

        // As the listeners hold them: a UDP datagram at the start of a 64 KiB buffer; a TCP
        // message after its 2-octet length in a 65537-octet buffer, the reply likewise.
        var framed = cases.Select(c => Frame(c.Query)).ToArray();
        var receive = new byte[65536];
        var udpReply = new byte[DnsWire.ServerUdpPayload];
        var tcpReply = new byte[DnsWire.MaxMessageLength + 2];

        int Run(int i)
        {
            var c = cases[i % cases.Length];
            var source = ClientAddress.FromIPv6(c.Source);
            if (c.OverTcp)
            {
                var message = framed[i % cases.Length];
                int length = BinaryPrimitives.ReadUInt16BigEndian(message);
                int written = processor.Process(message.AsSpan(2, length), tcpReply.AsSpan(2, DnsWire.MaxMessageLength), source, overTcp: true);
                BinaryPrimitives.WriteUInt16BigEndian(tcpReply, (ushort)written);
                return written;
            }

            c.Query.CopyTo(receive, 0);
            return processor.Process(receive.AsSpan(0, c.Query.Length), udpReply, source, overTcp: false);
        }

        // Each case does what its name says (so the loop below measures those paths).
        for (int i = 0; i < cases.Length; i++)
        {
            int written = Run(i);
            var reply = cases[i].OverTcp ? tcpReply.AsSpan(2, written).ToArray() : udpReply.AsSpan(0, written).ToArray();
            Assert.That(written, Is.GreaterThan(0), cases[i].Name);
            Assert.That(cases[i].Check(reply), Is.True, $"{cases[i].Name}: rcode {Rcode(reply)}, {Answers(reply)} answers, TC {Truncated(reply)}");
        }

        for (int i = 0; i < Warmup; i++)
        {
            Run(i);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        long answered = 0;
        for (int i = 0; i < Measured; i++)
        {
            answered += Run(i) > 0 ? 1 : 0;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(answered, Is.EqualTo(Measured));
        Assert.That(allocated, Is.Zero, $"bytes allocated over {Measured} queries ({cases.Length} kinds)");
    }

    private static byte[] Query(string name, ushort type, byte[]? ecs = null, byte[]? cookie = null)
    {
        var bytes = new List<byte> { 1, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, (byte)(ecs is null && cookie is null ? 0 : 1) };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange(new byte[] { 0, (byte)(type >> 8), (byte)type, 0, 1 });
        if (ecs is not null || cookie is not null)
        {
            // OPT: UDP size 1232, Client Subnet (code 8) and COOKIE (code 10) when given.
            int rdata = (ecs is null ? 0 : ecs.Length + 4) + (cookie is null ? 0 : cookie.Length + 4);
            bytes.AddRange(new byte[] { 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, (byte)rdata });
            if (ecs is not null)
            {
                bytes.AddRange(new byte[] { 0, 8, 0, (byte)ecs.Length });
                bytes.AddRange(ecs);
            }

            if (cookie is not null)
            {
                bytes.AddRange(new byte[] { 0, 10, 0, (byte)cookie.Length });
                bytes.AddRange(cookie);
            }
        }

        return [.. bytes];
    }

    private static byte[] Ecs4(byte a, byte b, byte c, byte prefix = 24, byte? last = null) =>
        last is { } d ? [0, 1, prefix, 0, a, b, c, d] : [0, 1, prefix, 0, a, b, c];

    private static byte[] Ecs6() => [0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0];

    private static byte[] Frame(byte[] query)
    {
        var framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        return framed;
    }

    private static int Rcode(byte[] reply) => reply[3] & 0xF;

    private static bool Truncated(byte[] reply) => (reply[2] & 0x02) != 0;

    private static bool HasOpt(byte[] reply) => Parse(reply).Opt;

    private static int Answers(byte[] reply) => BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6));

    private static int Authority(byte[] reply) => BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(8));

    /// <summary>Additional records other than OPT.</summary>
    private static int Additional(byte[] reply) => BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(10)) - (Parse(reply).Opt ? 1 : 0);

    private static string? First(byte[] reply) => Parse(reply).FirstAddress;

    private static int Scope(byte[] reply) => Parse(reply).Scope;

    /// <summary>Walks the reply: the first A record's address, whether it has OPT, the ECS scope and the COOKIE length.</summary>
    private static (string? FirstAddress, bool Opt, int Scope, int Cookie) Parse(byte[] reply)
    {
        int position = 12;
        position = SkipName(reply, position) + 4;
        int records = Answers(reply) + Authority(reply) + BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(10));
        string? first = null;
        bool opt = false;
        int scope = -1;
        int cookie = -1;
        for (int r = 0; r < records; r++)
        {
            position = SkipName(reply, position);
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(position));
            int length = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(position + 8));
            var data = reply.AsSpan(position + 10, length);
            if (type == 1 && first is null && r < Answers(reply))
            {
                first = $"{data[0]}.{data[1]}.{data[2]}.{data[3]}";
            }
            else if (type == 41)
            {
                opt = true;
                for (int o = 0; o + 4 <= length; o += 4 + BinaryPrimitives.ReadUInt16BigEndian(data[(o + 2)..]))
                {
                    ushort code = BinaryPrimitives.ReadUInt16BigEndian(data[o..]);
                    if (code == 8)
                    {
                        scope = data[o + 7];
                    }
                    else if (code == 10)
                    {
                        cookie = BinaryPrimitives.ReadUInt16BigEndian(data[(o + 2)..]);
                    }
                }
            }

            position += 10 + length;
        }

        return (first, opt, scope, cookie);
    }

    private static int SkipName(byte[] message, int position)
    {
        while (message[position] != 0)
        {
            if ((message[position] & 0xC0) == 0xC0)
            {
                return position + 2;
            }

            position += message[position] + 1;
        }

        return position + 1;
    }
}
