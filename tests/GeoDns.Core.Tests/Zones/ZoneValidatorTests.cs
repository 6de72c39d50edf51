using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

public class ZoneValidatorTests
{
    [Test]
    public void NoSoa()
    {
        var zone = Parse("$ORIGIN example.com.\n$TTL 60\n@ NS ns1\nns1 A 192.0.2.1\n");
        AssertError(zone, "example.com.zone:1:1", "no SOA");
    }

    [Test]
    public void SecondSoaAndSoaOffApex()
    {
        var zone = WithHeader("@ SOA ns1 h 2 2 3 4 5\nsub SOA ns1 h 1 2 3 4 5\n");
        AssertError(zone, "example.com.zone:6:1", "second SOA");
        AssertError(zone, "example.com.zone:7:1", "second SOA");
        AssertError(zone, "example.com.zone:7:1", "must be at the zone apex");
    }

    [Test]
    public void SoaNotAtOriginWhenFirst()
    {
        var zone = Parse("$ORIGIN example.com.\n$TTL 60\nwww SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n");
        AssertError(zone, "example.com.zone:3:1", "must be at the zone apex");
    }

    [Test]
    public void NoApexNs()
    {
        var zone = Parse("$ORIGIN example.com.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\nns1 A 192.0.2.1\n");
        AssertError(zone, "example.com.zone:3:1", "no NS records at its apex");
    }

    [Test]
    public void CnameBesideOtherData()
    {
        var zone = WithHeader("www CNAME a\nwww A 192.0.2.1\nmail A 192.0.2.2\nmail CNAME b\nok CNAME c\nok RRSIG \\# 0\n");
        AssertError(zone, "example.com.zone:7:1", "beside a CNAME");
        AssertError(zone, "example.com.zone:9:1", "CNAME at mail.example.com. beside other data");
        Assert.That(zone.Diagnostics.Any(d => d.Location.Line is 10 or 11), Is.False, Dump(zone));
    }

    [Test]
    public void TwoCnames()
    {
        var zone = WithHeader("www CNAME a\nwww CNAME b\nsame CNAME a\nsame CNAME a\n");
        AssertError(zone, "example.com.zone:7:1", "second CNAME");
        Assert.That(zone.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), Is.EqualTo(1), Dump(zone));
    }

    [Test]
    public void DataOutsideTheOrigin()
    {
        var zone = WithHeader("www.example.org. A 192.0.2.1\nexample.com.evil. A 192.0.2.2\nsub.example.com. A 192.0.2.3\n");
        AssertError(zone, "example.com.zone:6:1", "outside the zone");
        AssertError(zone, "example.com.zone:7:1", "outside the zone");
        Assert.That(zone.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), Is.EqualTo(2));
    }

    [Test]
    public void GlueWarnings()
    {
        var zone = Parse("$ORIGIN example.com.\n$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\n@ NS ns3\n@ NS ns.other.net.\n" +
            "ns1 A 192.0.2.1\nsub NS ns.sub\nsub NS ns2.sub\nns.sub AAAA 2001:db8::53\n");
        AssertNoErrors(zone);
        AssertWarning(zone, "example.com.zone:5:1", "apex NS points to ns3.example.com.");
        AssertWarning(zone, "example.com.zone:9:1", "delegation sub.example.com. points to ns2.sub.example.com.");
        Assert.That(zone.Diagnostics, Has.Count.EqualTo(2), Dump(zone));
    }

    [Test]
    public void DnameRules()
    {
        var zone = WithHeader("d DNAME other.net.\nd DNAME another.net.\nd A 192.0.2.1\nx.d A 192.0.2.2\n");
        AssertError(zone, "example.com.zone:7:1", "second DNAME");
        AssertWarning(zone, "example.com.zone:9:1", "below the DNAME at d.example.com.");
        Assert.That(zone.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), Is.EqualTo(1), Dump(zone));
    }

    [Test]
    public void DuplicatesDroppedSilentlyAndMixedTtlsUseTheLowest()
    {
        var zone = WithHeader("www A 192.0.2.1\nwww A 192.0.2.1\nwww 300 A 192.0.2.2\nwww 60 A 192.0.2.3\nwww AAAA 2001:db8::1\n");
        AssertNoErrors(zone);
        var a = At(zone, "www.example.com.", RecordType.A).ToList();
        Assert.That(a, Has.Count.EqualTo(3));
        Assert.That(a.Select(r => r.Ttl), Is.All.EqualTo(60));
        Assert.That(At(zone, "www.example.com.", RecordType.AAAA).Single().Ttl, Is.EqualTo(3600));
        AssertWarning(zone, "example.com.zone:6:1", "different TTLs; using the lowest, 60");
        Assert.That(zone.Diagnostics, Has.Count.EqualTo(1), Dump(zone));
    }

    [Test]
    public void ManyDuplicatesInALargeRRset()
    {
        var body = string.Concat(Enumerable.Range(0, 200).Select(i => $"big TXT \"v{i % 100}\"\n"));
        var zone = WithHeader(body);
        AssertClean(zone);
        Assert.That(At(zone, "big.example.com.", RecordType.TXT).Count(), Is.EqualTo(100));
    }
}
