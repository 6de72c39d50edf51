using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests;

/// <summary>The query path allocates nothing in steady state.</summary>
public sealed class QueryProcessorAllocationTests
{
    private const string ZoneText = """
        $ORIGIN example.test.
        $TTL 300
        @     SOA ns1 hostmaster 1 3600 900 604800 120
        @     NS  ns1
        ns1   A   192.0.2.53
        www   A   192.0.2.1
        www   A   192.0.2.2
        alias CNAME www
        *.wild A  192.0.2.99
        sub   NS  ns.sub
        ns.sub A  192.0.2.77
        """;

    private static byte[] Query(string name, ushort type, bool edns)
    {
        var bytes = new List<byte> { 1, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, (byte)(edns ? 1 : 0) };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange(new byte[] { 0, (byte)(type >> 8), (byte)type, 0, 1 });
        if (edns)
        {
            bytes.AddRange(new byte[] { 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 11, 0, 8, 0, 7, 0, 1, 24, 0, 198, 51, 100 });
        }

        return [.. bytes];
    }

    [Test]
    public void TenThousandQueriesAllocateNothing()
    {
        var file = ZoneFileLoader.Parse(ZoneText, "example.test.zone", null, TrafficVocabulary.BuiltIn);
        Assert.That(file.HasErrors, Is.False, string.Join("\n", file.Diagnostics));
        var processor = new QueryProcessor(new Snapshot([ZoneBuilder.Build(file)]));
        byte[][] queries =
        [
            Query("www.example.test", 1, false),
            Query("WWW.Example.Test", 1, true),
            Query("alias.example.test", 1, false),
            Query("a.b.wild.example.test", 1, true),
            Query("nothing.example.test", 1, false),
            Query("www.example.test", 28, true),
            Query("x.sub.example.test", 1, false),
            Query("www.example.org", 1, false),
        ];
        var response = new byte[DnsWire.MaxMessageLength];
        var client = ClientAddress.FromIPv4(0x7F000001);
        for (int i = 0; i < 1000; i++)
        {
            processor.Process(queries[i % queries.Length], response, client, overTcp: false);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int answered = 0;
        for (int i = 0; i < 10_000; i++)
        {
            answered += processor.Process(queries[i % queries.Length], response, client, overTcp: false) > 0 ? 1 : 0;
        }

        long perQuery = (GC.GetAllocatedBytesForCurrentThread() - before) / 10_000;
        Assert.That(answered, Is.EqualTo(10_000));
        Assert.That(perQuery, Is.EqualTo(0), "bytes allocated per query");
    }
}
