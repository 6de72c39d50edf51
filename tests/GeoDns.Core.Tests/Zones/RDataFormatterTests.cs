using GeoDns.Core.Dns;
using GeoDns.Core.Zones.RData;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

public class RDataFormatterTests
{
    [TestCase("A", "192.0.2.1", "192.0.2.1")]
    [TestCase("AAAA", "2001:0db8:0::1", "2001:db8::1")]
    [TestCase("NS", "Ns1", "Ns1.example.com.")]
    [TestCase("CNAME", "a.b.", "a.b.")]
    [TestCase("PTR", "host", "host.example.com.")]
    [TestCase("DNAME", "other.net.", "other.net.")]
    [TestCase("MX", "10 mail", "10 mail.example.com.")]
    [TestCase("TXT", "\"a b\" c \"q\\\"\\\\\" \"\\000\"", "\"a b\" \"c\" \"q\\\"\\\\\" \"\\000\"")]
    [TestCase("SRV", "1 2 3 t", "1 2 3 t.example.com.")]
    [TestCase("CAA", "0 issue \"ca.example\"", "0 issue \"ca.example\"")]
    [TestCase("HINFO", "PC Linux", "\"PC\" \"Linux\"")]
    [TestCase("DS", "1 2 3 abcd", "1 2 3 ABCD")]
    [TestCase("TYPE65280", "\\# 3 010203", "\\# 3 010203")]
    [TestCase("HTTPS", "1 . port=443", "\\# 9 0001000003000201BB")]
    public void RoundTrip(string type, string rdata, string expected)
    {
        RecordTypeNames.TryGetType(type, out ushort t);
        Assert.That(RDataFormatter.Format(t, RData(type, rdata)), Is.EqualTo(expected));
    }

    [Test]
    public void Soa()
    {
        var zone = Parse("$ORIGIN example.com.\n$TTL 60\n@ SOA ns h 1 2h 3 4 5\n@ NS ns.other.\n");
        Assert.That(RDataFormatter.Format(RecordType.SOA, zone.Soa.RData), Is.EqualTo("ns.example.com. h.example.com. 1 7200 3 4 5"));
    }

    [Test]
    public void MalformedRDataFallsBackToGeneric()
    {
        Assert.That(RDataFormatter.Format(RecordType.A, [1, 2, 3]), Is.EqualTo("\\# 3 010203"));
        Assert.That(RDataFormatter.Format(RecordType.NS, [5, 1]), Is.EqualTo("\\# 2 0501"));
        Assert.That(RDataFormatter.Format(RecordType.TXT, [5, 1]), Is.EqualTo("\\# 2 0501"));
        Assert.That(RDataFormatter.Format(RecordType.MX, []), Is.EqualTo("\\# 0"));
    }

    [Test]
    public void FormatRecord()
    {
        var rr = new ResourceRecord(N("www.example.com."), RecordType.A, RecordClass.IN, 60, [192, 0, 2, 1]);
        Assert.That(RDataFormatter.FormatRecord(rr), Is.EqualTo("www.example.com. 60 IN A 192.0.2.1"));
    }
}
