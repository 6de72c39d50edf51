using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.RateLimiting;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using Microsoft.Extensions.Time.Testing;

namespace GeoDns.Core.Tests.RateLimiting;

/// <summary>Rate limiting through <see cref="QueryProcessor"/>: UDP only, slips are TC=1 with the question only.</summary>
public sealed class RateLimitedQueryTests
{
    private const string ZoneText = """
        $ORIGIN example.test.
        $TTL 300
        @     SOA ns1 hostmaster 1 3600 900 604800 120
        @     NS  ns1
        ns1   A   192.0.2.53
        www   A   192.0.2.1
        """;

    private static readonly ClientAddress Client = ClientAddress.FromIPv4(0x7F000002);

    private static QueryProcessor Processor(int rate, int slip)
    {
        var file = ZoneFileLoader.Parse(ZoneText, "example.test.zone", null, TrafficVocabulary.BuiltIn);
        Assert.That(file.HasErrors, Is.False, string.Join("\n", file.Diagnostics));
        return new QueryProcessor(new Snapshot([ZoneBuilder.Build(file)]))
        {
            RateLimiter = new ResponseRateLimiter(new RrlSettings { ResponsesPerSecond = rate, Slip = slip }, new FakeTimeProvider()),
        };
    }

    private static byte[] Query(string name, ushort type = 1, bool edns = false)
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
            bytes.AddRange(new byte[] { 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0 });
        }

        return [.. bytes];
    }

    [Test]
    public void ASlippedReplyIsTruncatedWithTheQuestionOnly()
    {
        var processor = Processor(rate: 2, slip: 1);
        var query = Query("www.example.test", edns: true);
        var response = new byte[DnsWire.ServerUdpPayload];
        Assert.That(processor.Process(query, response, Client, overTcp: false), Is.GreaterThan(query.Length));
        Assert.That(processor.Process(query, response, Client, overTcp: false), Is.GreaterThan(query.Length));

        int length = processor.Process(query, response, Client, overTcp: false);
        int questionEnd = DnsWire.HeaderLength + "www.example.test".Length + 2 + 4;
        Assert.That(length, Is.EqualTo(questionEnd));
        ushort flags = DnsWire.ReadUInt16(response, 2);
        Assert.That(flags & DnsWire.FlagTc, Is.Not.Zero, "TC");
        Assert.That(flags & DnsWire.FlagQr, Is.Not.Zero, "QR");
        Assert.That(response.AsSpan(0, 2).ToArray(), Is.EqualTo(query[..2]), "ID");
        Assert.That(DnsWire.ReadUInt16(response, 4), Is.EqualTo(1));
        Assert.That((DnsWire.ReadUInt16(response, 6), DnsWire.ReadUInt16(response, 8), DnsWire.ReadUInt16(response, 10)), Is.EqualTo((0, 0, 0)));
        Assert.That(response.AsSpan(12, questionEnd - 12).ToArray(), Is.EqualTo(query[12..questionEnd]));
        Assert.That(processor.RateLimiter!.Slipped, Is.EqualTo(1));
    }

    [Test]
    public void DroppedRepliesAreNotSent()
    {
        var processor = Processor(rate: 3, slip: 0);
        var query = Query("www.example.test");
        var response = new byte[DnsWire.ServerUdpPayload];
        int sent = Enumerable.Range(0, 50).Count(_ => processor.Process(query, response, Client, overTcp: false) > 0);
        Assert.That(sent, Is.EqualTo(3));
        Assert.That(processor.RateLimiter!.Dropped, Is.EqualTo(47));
    }

    [Test]
    public void TcpIsNeverLimited()
    {
        var processor = Processor(rate: 1, slip: 0);
        var query = Query("www.example.test");
        var response = new byte[DnsWire.MaxMessageLength];
        int sent = Enumerable.Range(0, 50).Count(_ => processor.Process(query, response, Client, overTcp: true) > query.Length);
        Assert.That(sent, Is.EqualTo(50));
        Assert.That(processor.RateLimiter!.Dropped, Is.Zero);
    }

    [Test]
    public void RandomNamesUnderOneZoneShareTheNxDomainBucket()
    {
        var processor = Processor(rate: 5, slip: 0);
        var response = new byte[DnsWire.ServerUdpPayload];
        int sent = Enumerable.Range(0, 50).Count(i => processor.Process(Query($"r{i}.example.test"), response, Client, overTcp: false) > 0);
        Assert.That(sent, Is.EqualTo(5));

        // A positive answer is its own bucket.
        Assert.That(processor.Process(Query("www.example.test"), response, Client, overTcp: false), Is.GreaterThan(0));
    }

    [Test]
    public void RefusedRepliesAreLimitedToo()
    {
        var processor = Processor(rate: 5, slip: 0);
        var response = new byte[DnsWire.ServerUdpPayload];
        int sent = Enumerable.Range(0, 50).Count(i => processor.Process(Query($"n{i}.example.org"), response, Client, overTcp: false) > 0);
        Assert.That(sent, Is.EqualTo(5));
    }

    [Test]
    public void LimitingAllocatesNothing()
    {
        var processor = Processor(rate: 100, slip: 2);
        byte[][] queries = [Query("www.example.test"), Query("nope.example.test", edns: true), Query("www.example.org")];
        var response = new byte[DnsWire.MaxMessageLength];
        for (int i = 0; i < 1000; i++)
        {
            processor.Process(queries[i % queries.Length], response, Client, overTcp: false);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            processor.Process(queries[i % queries.Length], response, ClientAddress.FromIPv4((uint)(0x0A000000 + (i * 256))), overTcp: false);
        }

        Assert.That((GC.GetAllocatedBytesForCurrentThread() - before) / 10_000, Is.Zero, "bytes allocated per query");
        Assert.That(processor.RateLimiter!.Slipped + processor.RateLimiter.Dropped, Is.GreaterThan(0));
    }
}
