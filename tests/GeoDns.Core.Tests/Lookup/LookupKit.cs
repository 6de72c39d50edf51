using DnsMessage = ARSoft.Tools.Net.Dns.DnsMessage;
using DnsRecordBase = ARSoft.Tools.Net.Dns.DnsRecordBase;
using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests.Lookup;

/// <summary>
/// Drives the lookup in-process: zones from zone-file text, queries as wire bytes through
/// <see cref="QueryProcessor"/>, replies decoded by ARSoft.Tools.Net (an independent parser).
/// </summary>
internal static class LookupKit
{
    public const ushort Id = 0x4A5B;

    /// <summary>
    /// The zone most tests ask: exact data, CNAME chains, wildcards, empty non-terminals and
    /// two delegations. Negative answers carry the SOA at min(TTL 3600, MINIMUM 60) = 60.
    /// </summary>
    public const string ExampleCom = """
        $ORIGIN example.com.
        $TTL 3600
        @         SOA   ns1 hostmaster 2024010101 7200 900 1209600 60
        @         NS    ns1
        @         NS    ns.example.net.
        @         MX    10 mail
        @         A     192.0.2.10
        ns1       A     192.0.2.53
        ns1       AAAA  2001:db8::53
        mail      A     192.0.2.25
        www       A     192.0.2.1
        www       A     192.0.2.2
        www       TXT   "web"
        MixedCase A     192.0.2.9
        alias     CNAME www
        chain1    CNAME chain2
        chain2    CNAME chain3
        chain3    A     192.0.2.3
        chain3    TXT   "end"
        outside   CNAME www.example.net.
        dangling  CNAME nowhere
        loop1     CNAME loop2
        loop2     CNAME loop1
        self      CNAME self
        toent     CNAME ent
        a.b.ent   A     192.0.2.4
        *.wild    A     192.0.2.99
        *.wild    TXT   "wildcard"
        host.wild A     192.0.2.98
        x.y.wild  A     192.0.2.97
        towild    CNAME some.thing.wild
        *.wc      CNAME chain3
        towc      CNAME foo.wc
        sub       NS    ns.sub
        sub       NS    ns.example.net.
        sub       DS    60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
        ns.sub    A     192.0.2.77
        ns.sub    AAAA  2001:db8::77
        host.sub  A     192.0.2.66
        tosub     CNAME host.sub
        nods      NS    ns.example.net.
        d         DNAME example.net.
        """;

    /// <summary>The SOA of <see cref="ExampleCom"/> as a negative answer carries it.</summary>
    public const string ExampleComNegativeSoa = "example.com. 60 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 60";

    private static Snapshot? _exampleCom;

    /// <summary>A snapshot serving only <see cref="ExampleCom"/> (immutable, shared by the tests).</summary>
    public static Snapshot ExampleComSnapshot => _exampleCom ??= SnapshotOf(ExampleCom);

    /// <summary>Loads one zone file (the origin comes from its $ORIGIN) and compiles it.</summary>
    public static Zone BuildZone(string text, string fileName = "test-zone.txt")
    {
        var file = ZoneFileLoader.Parse(text, fileName, null, TrafficVocabulary.BuiltIn);
        Assert.That(file.HasErrors, Is.False, () => string.Join("\n", file.Diagnostics));
        return ZoneBuilder.Build(file);
    }

    public static Snapshot SnapshotOf(params string[] zoneTexts) => new(zoneTexts.Select(t => BuildZone(t)).ToArray());

    /// <summary>A standard query (RD set, class IN) with the name's labels in the case given.</summary>
    public static byte[] Query(string name, ushort type, bool edns = false)
    {
        var bytes = new List<byte> { Id >> 8, Id & 0xFF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, (byte)(edns ? 1 : 0) };
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange(new byte[] { 0, (byte)(type >> 8), (byte)type, 0, 1 });
        if (edns)
        {
            bytes.AddRange(new byte[] { 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0 });
        }

        return [.. bytes];
    }

    /// <summary>Sends one query through the processor and returns the raw reply.</summary>
    public static byte[] AskRaw(Snapshot snapshot, string name, ushort type, bool overTcp = false, bool edns = false)
    {
        var processor = new QueryProcessor(snapshot);
        var response = new byte[DnsWire.MaxMessageLength];
        int length = processor.Process(Query(name, type, edns), response, ClientAddress.FromIPv4(0xC0000201), overTcp);
        Assert.That(length, Is.GreaterThan(DnsWire.HeaderLength), "a reply is sent");
        return response[..length];
    }

    public static DnsMessage Ask(Snapshot snapshot, string name, ushort type, bool overTcp = false, bool edns = false)
    {
        var reply = DnsMessage.Parse(AskRaw(snapshot, name, type, overTcp, edns));
        Assert.Multiple(() =>
        {
            Assert.That(reply.IsQuery, Is.False, "QR");
            Assert.That(reply.TransactionID, Is.EqualTo(Id));
            Assert.That(reply.IsTruncated, Is.False, "TC");
            Assert.That(reply.IsRecursionAllowed, Is.False, "RA");
        });
        return reply;
    }

    /// <summary>Records as "owner ttl class type rdata", in section order.</summary>
    public static string[] Lines(IEnumerable<DnsRecordBase> records) => records.Select(r => r.ToString()).ToArray();

    /// <summary>Calls <see cref="Snapshot.Resolve"/> the way the query path does.</summary>
    public static PreparedAnswer? Resolve(Snapshot snapshot, string name, ushort qtype, bool overTcp = false)
    {
        var dnsName = DnsName.Parse(name);
        var wire = dnsName.Wire;
        var starts = new List<int>();
        for (int offset = 0; wire[offset] != 0; offset += wire[offset] + 1)
        {
            starts.Add(offset);
        }

        return snapshot.Resolve(dnsName.Key, starts.ToArray(), qtype, overTcp);
    }
}
