using GeoDns.Core.Dns;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

public sealed class DnsProbeMessageTests
{
    [Test]
    public void ReadsCompressedCnameAndAddressAnswers()
    {
        var query = DnsProbeMessage.BuildQuery(0x1234, DnsName.Parse("www.example.com."), RecordType.A);
        var response = new List<byte>(query);
        response[2] = 0x84;
        response[7] = 2;
        response.AddRange([0xC0, 0x0C, 0, 5, 0, 1, 0, 0, 0, 60, 0, 5, 2, (byte)'e', (byte)'u', 0xC0, 16]);
        response.AddRange([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);

        Assert.That(DnsProbeMessage.TryReadResponse(response.ToArray(), 0x1234, out int rcode, out var answers), Is.True);
        Assert.That(rcode, Is.Zero);
        Assert.That(answers, Is.EqualTo(new[] { "eu.example.com.", "192.0.2.1" }));
    }

    [Test]
    public void RejectsOtherIdsQueriesAndTruncatedMessages()
    {
        var query = DnsProbeMessage.BuildQuery(7, DnsName.Parse("example.com."), RecordType.NS);
        var response = (byte[])query.Clone();
        response[2] = 0x80;
        Assert.Multiple(() =>
        {
            Assert.That(DnsProbeMessage.TryReadResponse(query, 7, out _, out _), Is.False, "not a response");
            Assert.That(DnsProbeMessage.TryReadResponse(response, 8, out _, out _), Is.False, "other id");
            Assert.That(DnsProbeMessage.TryReadResponse(response.AsSpan(0, 14), 7, out _, out _), Is.False, "truncated");
            Assert.That(DnsProbeMessage.TryReadResponse(response, 7, out _, out _), Is.True);
        });
    }
}
