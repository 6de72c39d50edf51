using System.Buffers.Binary;
using System.Net;
using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Traffic.TrafficFixtures;

namespace GeoDns.Core.Tests.Traffic;

/// <summary>Pools served end to end through <see cref="QueryProcessor"/> (no sockets).</summary>
public class PoolAnswerTests
{
    private static readonly DnsName Origin = DnsName.Parse("example.com.");

    private static readonly TableLocator Locator = new TableLocator()
        .Add("81.2.69.160/27", country: "GB", continent: "EU", lat: 51.5, lon: -0.09)
        .Add("216.160.83.56/29", country: "US", continent: "NA", subdivision: "US-WA", lat: 47.25, lon: -122.31);

    private static (QueryProcessor Processor, HealthBoard Board) Serve(params PoolDefinition[] pools)
    {
        var records = new List<ResourceRecord>
        {
            new(Origin, RecordType.SOA, RecordClass.IN, 3600, Soa()),
            new(Origin, RecordType.NS, RecordClass.IN, 3600, DnsName.Parse("ns1.example.com.").Wire.ToArray()),
            new(DnsName.Parse("ns1.example.com."), RecordType.A, RecordClass.IN, 3600, [192, 0, 2, 53]),
            new(DnsName.Parse("www.example.com."), RecordType.CNAME, RecordClass.IN, 3600, DnsName.Parse("www.gtm.example.com.").Wire.ToArray()),
        };
        var file = new ZoneFile
        {
            Origin = Origin,
            Path = "example.com.zone",
            Records = [.. records.Select(r => new ZoneEntry(r, Here))],
            Regions = DesignRegions(),
            Pools = pools,
            Diagnostics = [],
        };
        var board = new HealthBoard();
        var compiler = new TrafficCompiler(board, TrafficVocabulary.BuiltIn.Policies, Locator, random: new ScriptedRandom(0));
        return (new QueryProcessor(new Snapshot([ZonePipeline.BuildZone(file, compiler)])), board);
    }

    private static PoolDefinition Design(string ifAllDown = "all") => Pool("geo",
        [Member("us-east", "192.0.2.10", weight: 3), Member("us-east", "192.0.2.11"), Member("eu-west", "198.51.100.10")],
        fallback: "nearest", ifAllDown: ifAllDown);

    [Test]
    public void AnswersThePoolWithItsTtlAndEcsScope()
    {
        var (processor, _) = Serve(Design());

        var reply = Ask(processor, "www.gtm.example.com.", RecordType.A, "81.2.69.160", 28);

        Assert.That(reply.Answers, Is.EqualTo(new[] { ("www.gtm.example.com.", RecordType.A, 30u, "198.51.100.10") }));
        Assert.That(reply.Scope, Is.EqualTo(27), "the GeoIP network that decided");
    }

    [Test]
    public void ChasesThePublicCnameIntoThePool()
    {
        var (processor, _) = Serve(Design());

        var reply = Ask(processor, "WWW.example.com.", RecordType.A, "216.160.83.56", 29);

        Assert.That(reply.Answers, Is.EqualTo(new[]
        {
            ("WWW.example.com.", RecordType.CNAME, 3600u, "www.gtm.example.com."),
            ("www.gtm.example.com.", RecordType.A, 30u, "192.0.2.10"),
        }));
        Assert.That(reply.Scope, Is.EqualTo(29));
    }

    [Test]
    public void WithoutEcsTheSourceAddressDecides()
    {
        var (processor, _) = Serve(Design());

        var reply = Ask(processor, "www.gtm.example.com.", RecordType.A, null, 0, source: "81.2.69.170");

        Assert.That(reply.Answers.Single().Data, Is.EqualTo("198.51.100.10"));
        Assert.That(reply.Scope, Is.Null);
    }

    [Test]
    public void AnswersThatDidNotDependOnTheClientCarryScopeZero()
    {
        var (processor, _) = Serve(Pool("failover", [Member("us-east", "192.0.2.10"), Member("eu-west", "198.51.100.10")]));

        var reply = Ask(processor, "www.gtm.example.com.", RecordType.A, "81.2.69.0", 24);

        Assert.That(reply.Answers.Single().Data, Is.EqualTo("192.0.2.10"));
        Assert.That(reply.Scope, Is.Zero);
    }

    [Test]
    public void AllDownWithNoneIsNoDataAfterTheChase()
    {
        var (processor, board) = Serve(Design(ifAllDown: "none"));
        foreach (var member in board.Members)
        {
            member.SetOverride(MemberOverride.ForceDown);
        }

        var reply = Ask(processor, "www.example.com.", RecordType.A, "81.2.69.0", 24);

        Assert.That(reply.Rcode, Is.Zero);
        Assert.That(reply.Answers.Select(a => a.Type), Is.EqualTo(new[] { RecordType.CNAME }));
        Assert.That(reply.Scope, Is.Zero);
    }

    [Test]
    public void CnamePoolsAnswerOneName()
    {
        var pool = Pool("all", [Cname("us-east", "edge-us.example.net."), Cname("eu-west", "edge-eu.example.net.")],
            maxAnswers: 8, owner: "cdn.example.com.", type: RecordType.CNAME);
        var (processor, _) = Serve(pool);

        var reply = Ask(processor, "cdn.example.com.", RecordType.A, null, 0);

        Assert.That(reply.Answers.Select(a => $"{a.Owner} {a.Type} {a.Data}"), Is.EqualTo(new[] { "cdn.example.com. 5 edge-us.example.net." }));
    }

    [Test]
    public void APublicCnameToACnamePoolGetsBothCnames()
    {
        var pool = Pool("failover", [Cname("us-east", "edge-us.example.net."), Cname("eu-west", "edge-eu.example.net.")],
            owner: "www.gtm.example.com.", type: RecordType.CNAME);
        var (processor, _) = Serve(pool);

        var reply = Ask(processor, "www.example.com.", RecordType.AAAA, null, 0);

        Assert.That(reply.Answers.Select(a => $"{a.Owner} {a.Type} {a.Data}"), Is.EqualTo(new[]
        {
            "www.example.com. 5 www.gtm.example.com.",
            "www.gtm.example.com. 5 edge-us.example.net.",
        }));
    }

    [Test]
    public void AnswerTooBigForTheBufferReportsTruncation()
    {
        var model = new TrafficCompiler(new HealthBoard(), TrafficVocabulary.BuiltIn.Policies, random: new ScriptedRandom(0)).BuildModel(Design(), DesignRegions());
        var answer = new PoolAnswer(model, NoLocator.Instance, new ScriptedRandom(0));
        var context = new QueryContext { Client = Address("192.0.2.1"), ClientPrefix = 32 };

        Assert.That(answer.Write(new byte[10], 12, ref context, out _), Is.EqualTo(-1));
        var buffer = new byte[16];
        Assert.That(answer.Write(buffer, 12, ref context, out int count), Is.EqualTo(16));
        Assert.That(count, Is.EqualTo(1));
        Assert.That(buffer[..2], Is.EqualTo(new byte[] { 0xC0, 12 }));
    }

    private static MemberDefinition Cname(string region, string target) =>
        new(region, target, DnsName.Parse(target).Wire.ToArray(), 1, null, null, true, new Dictionary<string, string>(), Here);

    private static byte[] Soa()
    {
        var names = DnsName.Parse("ns1.example.com.").Wire.ToArray().Concat(DnsName.Parse("hostmaster.example.com.").Wire.ToArray()).ToList();
        foreach (uint value in new uint[] { 2026112601, 7200, 900, 1209600, 60 })
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            names.AddRange(bytes);
        }

        return [.. names];
    }

    private sealed record Reply(int Rcode, List<(string Owner, ushort Type, uint Ttl, string Data)> Answers, int? Scope);

    private static Reply Ask(QueryProcessor processor, string name, ushort type, string? subnet, int sourcePrefix, string source = "127.0.0.1")
    {
        var query = new List<byte> { 0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1 };
        query.AddRange(DnsName.Parse(name).Wire.ToArray());
        query.AddRange([(byte)(type >> 8), (byte)type, 0, 1]);
        var option = new List<byte>();
        if (subnet is not null)
        {
            var address = IPAddress.Parse(subnet).GetAddressBytes();
            int bytes = (sourcePrefix + 7) / 8;
            option.AddRange([0, 8, 0, (byte)(4 + bytes), 0, (byte)(address.Length == 4 ? 1 : 2), (byte)sourcePrefix, 0]);
            option.AddRange(address[..bytes]);
        }

        query.AddRange([0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, (byte)option.Count]);
        query.AddRange(option);

        var response = new byte[65535];
        int length = processor.Process(query.ToArray(), response, Address(source), overTcp: false);
        return Parse(response.AsSpan(0, length).ToArray());
    }

    private static Reply Parse(byte[] message)
    {
        int answers = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(6));
        int additional = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(10)) + BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(8));
        int at = 12;
        ReadName(message, ref at);
        at += 4;
        var list = new List<(string, ushort, uint, string)>();
        int? scope = null;
        for (int i = 0; i < answers + additional; i++)
        {
            string owner = ReadName(message, ref at);
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at));
            uint ttl = BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(at + 4));
            int rdLength = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at + 8));
            int rdata = at + 10;
            at = rdata + rdLength;
            if (i >= answers)
            {
                if (type == RecordType.OPT && rdLength >= 8 && BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(rdata)) == 8)
                {
                    scope = message[rdata + 7];
                }

                continue;
            }

            int cursor = rdata;
            string data = type switch
            {
                RecordType.A or RecordType.AAAA => new IPAddress(message.AsSpan(rdata, rdLength)).ToString(),
                _ => ReadName(message, ref cursor),
            };
            list.Add((owner, type, ttl, data));
        }

        return new Reply(message[3] & 0xF, list, scope);
    }

    private static string ReadName(byte[] message, ref int at)
    {
        var labels = new List<string>();
        int cursor = at;
        bool jumped = false;
        while (message[cursor] != 0)
        {
            if ((message[cursor] & 0xC0) == 0xC0)
            {
                if (!jumped)
                {
                    at = cursor + 2;
                }

                jumped = true;
                cursor = ((message[cursor] & 0x3F) << 8) | message[cursor + 1];
                continue;
            }

            labels.Add(System.Text.Encoding.ASCII.GetString(message, cursor + 1, message[cursor]));
            cursor += message[cursor] + 1;
        }

        if (!jumped)
        {
            at = cursor + 1;
        }

        return string.Join('.', labels) + ".";
    }
}
