using GeoDns.Core.Lookup;
using GeoDns.Core.Wire;
using static GeoDns.Core.Tests.Lookup.LookupKit;
using Rr = GeoDns.Core.Dns.RecordType;

namespace GeoDns.Core.Tests.Lookup;

/// <summary>
/// The lookup's second zone search (DS at a child apex answered by the parent it also serves)
/// and the closest-encloser walk of a root zone stay on the allocation-free query path.
/// </summary>
public sealed class ParentSideAndRootAllocationTests
{
    [Test]
    public void DsAtAChildApexAndMissingNamesOfARootZoneAllocateNothing()
    {
        var snapshot = SnapshotOf(
            """
            $ORIGIN .
            $TTL 86400
            @    SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
            @    NS  a.root-servers.net.
            test NS  ns.example.test.
            """,
            """
            $ORIGIN example.test.
            $TTL 300
            @     SOA ns hostmaster 1 3600 900 604800 120
            @     NS  ns
            ns    A   192.0.2.53
            child NS  ns.child
            child DS  60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
            ns.child A 192.0.2.80
            """,
            """
            $ORIGIN child.example.test.
            $TTL 300
            @    SOA ns hostmaster 7 3600 900 604800 30
            @    NS  ns
            ns   A   192.0.2.80
            """);
        var processor = new QueryProcessor(snapshot);
        byte[][] queries =
        [
            Query("child.example.test", Rr.DS),
            Query("example.test", Rr.DS),
            Query("nothing", Rr.A),
            Query("a.b.nothing", Rr.A),
            Query("child.example.test", Rr.A),
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
        Assert.Multiple(() =>
        {
            Assert.That(answered, Is.EqualTo(10_000));
            Assert.That(perQuery, Is.EqualTo(0), "bytes allocated per query");
            Assert.That(Lines(Ask(snapshot, "child.example.test", Rr.DS).AnswerRecords), Has.Length.EqualTo(1), "the parent's DS");
            Assert.That(Ask(snapshot, "a.b.nothing", Rr.A).ReturnCode, Is.EqualTo(ARSoft.Tools.Net.Dns.ReturnCode.NxDomain));
        });
    }
}
