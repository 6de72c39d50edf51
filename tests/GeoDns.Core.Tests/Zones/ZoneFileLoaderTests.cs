using GeoDns.Core.Dns;
using GeoDns.Core.Loading;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

public class ZoneFileLoaderTests
{
    [Test]
    public void MinimalZoneLoadsClean()
    {
        var zone = WithHeader("www A 192.0.2.1\n");
        AssertClean(zone);
        Assert.That(zone.Origin, Is.EqualTo(N("example.com.")));
        Assert.That(zone.Records, Has.Count.EqualTo(4));
        Assert.That(zone.Soa.Owner, Is.EqualTo(N("example.com.")));
        Assert.That(zone.Records[3].Location.ToString(), Is.EqualTo("example.com.zone:6:1"));
    }

    [Test]
    public void OriginComesFromArgumentThenFileNameThenOriginThenSoa()
    {
        const string body = "@ SOA ns1.other. h.other. 1 2 3 4 5\n@ NS ns1.other.\n";
        Assert.That(Parse(body, origin: N("arg.test.")).Origin, Is.EqualTo(N("arg.test.")));
        Assert.That(Parse(body, file: "dir/name.test.zone").Origin, Is.EqualTo(N("name.test.")));
        Assert.That(Parse("$ORIGIN o.test.\n" + body, file: "db.x").Origin, Is.EqualTo(N("o.test.")));
        var fromSoa = Parse("soa.test. 60 SOA ns1.other. h.other. 1 2 3 4 5\n@ NS ns1.other.\n", file: "db.x");
        AssertNoErrors(fromSoa);
        Assert.That(fromSoa.Origin, Is.EqualTo(N("soa.test.")));
    }

    [Test]
    public void NoOriginAtAllIsAnError()
    {
        var zone = Parse("www 60 A 192.0.2.1\n", file: "db.x");
        AssertError(zone, "db.x:1:1", "relative name");
        AssertError(zone, "db.x:1:1", "origin");
    }

    [Test]
    public void OwnerInheritanceAtSignAndRelativeNames()
    {
        var zone = WithHeader("www A 192.0.2.1\n   A 192.0.2.2\n\tAAAA 2001:db8::1\nsub.www.example.com. A 192.0.2.3\n@ MX 10 mail\n");
        AssertNoErrors(zone);
        Assert.That(At(zone, "www.example.com.", RecordType.A).Count(), Is.EqualTo(2));
        Assert.That(At(zone, "www.example.com.", RecordType.AAAA).Count(), Is.EqualTo(1));
        Assert.That(At(zone, "sub.www.example.com.", RecordType.A).Count(), Is.EqualTo(1));
        Assert.That(At(zone, "example.com.", RecordType.MX).Single().RData, Is.EqualTo(Hex("000A" + W("mail.example.com."))));
    }

    [Test]
    public void OwnerCaseIsKept()
    {
        var zone = WithHeader("WwW A 192.0.2.1\n");
        Assert.That(zone.Records[3].Record.Owner.ToString(), Is.EqualTo("WwW.example.com."));
    }

    [Test]
    public void TtlAndClassInEitherOrder()
    {
        var zone = WithHeader("a 60 IN A 192.0.2.1\nb IN 70 A 192.0.2.2\nc CLASS1 80 A 192.0.2.3\nd in 1h30m a 192.0.2.4\n");
        AssertClean(zone);
        Assert.That(At(zone, "a.example.com.", RecordType.A).Single().Ttl, Is.EqualTo(60));
        Assert.That(At(zone, "b.example.com.", RecordType.A).Single().Ttl, Is.EqualTo(70));
        Assert.That(At(zone, "c.example.com.", RecordType.A).Single().Ttl, Is.EqualTo(80));
        Assert.That(At(zone, "d.example.com.", RecordType.A).Single().Ttl, Is.EqualTo(5400));
    }

    [TestCase("0", 0u)]
    [TestCase("1w", 604800u)]
    [TestCase("2d", 172800u)]
    [TestCase("1H30M", 5400u)]
    [TestCase("1w2d3h4m5s", 788645u)]
    [TestCase("2147483647", 2147483647u)]
    public void TtlUnits(string ttl, uint seconds)
    {
        var zone = WithHeader($"x {ttl} A 192.0.2.1\n");
        AssertNoErrors(zone);
        Assert.That(At(zone, "x.example.com.", RecordType.A).Single().Ttl, Is.EqualTo(seconds));
    }

    [TestCase("2147483648", "over the maximum")]
    [TestCase("1x", "unexpected 'x'")]
    [TestCase("1h30", "needs its own unit")]
    public void BadTtls(string ttl, string fragment)
    {
        var zone = WithHeader($"x {ttl} A 192.0.2.1\n");
        AssertError(zone, "example.com.zone:6:3", fragment);
    }

    [Test]
    public void ExplicitTtlDoesNotStickToLaterRecords()
    {
        var zone = WithHeader("a 60 A 192.0.2.1\nb A 192.0.2.2\n  A 192.0.2.3\n$TTL 1d\nc A 192.0.2.4\n");
        AssertNoErrors(zone);
        Assert.That(At(zone, "a.example.com.", RecordType.A).Single().Ttl, Is.EqualTo(60));
        Assert.That(At(zone, "b.example.com.", RecordType.A).Select(r => r.Ttl), Is.EqualTo(new uint[] { 3600, 3600 }));
        Assert.That(At(zone, "c.example.com.", RecordType.A).Single().Ttl, Is.EqualTo(86400));
    }

    [Test]
    public void WithoutTtlDirectiveTheSoaMinimumIsTheDefault()
    {
        var zone = Parse("$ORIGIN example.com.\n@ SOA ns1 h 1 2 3 4 300\n@ NS ns1\nns1 A 192.0.2.1\n");
        AssertNoErrors(zone);
        Assert.That(zone.Records.Select(e => e.Record.Ttl), Is.All.EqualTo(300));
        AssertWarning(zone, "example.com.zone:3:1", "SOA minimum");
    }

    [Test]
    public void NoTtlAnywhereIsAnError()
    {
        var zone = Parse("$ORIGIN example.com.\nwww A 192.0.2.1\n@ 60 SOA ns1 h 1 2 3 4 300\n@ 60 NS ns1\n");
        AssertError(zone, "example.com.zone:2:1", "no TTL");
    }

    [Test]
    public void ParenthesesCommentsAndQuotedStrings()
    {
        const string text = "$ORIGIN example.com.\n$TTL 60\n@ IN SOA ns1 hostmaster ( ; comment (with parens)\n" +
            "   2026112601 ; serial\n   2h 15m 2w 1m )\n@ NS ns1 ; trailing comment\nns1 A 192.0.2.1\n" +
            "t TXT \"a;b (c)\" \"quote\\\"d\" \\; ( \"x\"\n  \"y\" )\n";
        var zone = Parse(text);
        AssertClean(zone);
        var soa = zone.Soa.RData;
        Assert.That(soa.AsSpan(soa.Length - 20).ToArray(), Is.EqualTo(Hex("78C40659 00001C20 00000384 00127500 0000003C")));
        var txt = At(zone, "t.example.com.", RecordType.TXT).Single().RData;
        Assert.That(txt, Is.EqualTo(Hex("07613B6220286329 0771756F74652264 013B 0178 0179")));
    }

    [Test]
    public void OneLineParenthesizedSoaIsParsed()
    {
        var zone = Parse("$ORIGIN example.com.\n$TTL 60\n@ SOA ns1 h ( 1 2 3 4 5 )\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\n");
        AssertClean(zone);
        Assert.That(zone.Records, Has.Count.EqualTo(4));
    }

    [Test]
    public void LexicalErrorsHavePlaces()
    {
        var zone = WithHeader("a TXT \"open\nb A 192.0.2.1 )\nc A ( 192.0.2.1 ( )\nd A (\n");
        AssertError(zone, "example.com.zone:6:7", "unterminated quoted string");
        AssertError(zone, "example.com.zone:7:15", "')' without");
        AssertError(zone, "example.com.zone:8:17", "nested '('");
        AssertError(zone, "example.com.zone:9:5", "never closed");
    }

    [Test]
    public void AllErrorsOfAFileAreReportedAndGoodLinesStillLoad()
    {
        var zone = WithHeader("a A 192.0.2.300\nb A 192.0.2.1\nc AAAA 192.0.2.1\nd BOGUS x\ne MX ten mail\nf A 192.0.2.1 extra\ng A\n");
        AssertError(zone, "example.com.zone:6:5", "bad IPv4 address '192.0.2.300'");
        AssertError(zone, "example.com.zone:8:8", "bad IPv6 address");
        AssertError(zone, "example.com.zone:9:3", "unknown record type 'BOGUS'");
        AssertError(zone, "example.com.zone:10:6", "bad preference 'ten'");
        AssertError(zone, "example.com.zone:11:15", "trailing garbage 'extra'");
        AssertError(zone, "example.com.zone:12:4", "missing IPv4 address");
        Assert.That(zone.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), Is.EqualTo(6));
        Assert.That(At(zone, "b.example.com.", RecordType.A).Count(), Is.EqualTo(1));
    }

    [TestCase("x CH A 192.0.2.1", "example.com.zone:6:3", "only class IN")]
    [TestCase("x CLASS3 A 192.0.2.1", "example.com.zone:6:3", "only class IN")]
    [TestCase("x IN IN A 192.0.2.1", "example.com.zone:6:6", "second class")]
    [TestCase("x 1 2 A 192.0.2.1", "example.com.zone:6:5", "second TTL")]
    [TestCase("x ANY 192.0.2.1", "example.com.zone:6:3", "meta or query type")]
    [TestCase("x OPT \\# 0", "example.com.zone:6:3", "meta or query type")]
    [TestCase("x AXFR \\# 0", "example.com.zone:6:3", "meta or query type")]
    [TestCase("x TYPE251 \\# 0", "example.com.zone:6:3", "meta or query type")]
    [TestCase("$FOO bar", "example.com.zone:6:1", "unknown directive")]
    [TestCase("$TTL 1y", "example.com.zone:6:6", "bad $TTL")]
    [TestCase("$TTL 60 60", "example.com.zone:6:9", "trailing garbage")]
    [TestCase("$ORIGIN", "example.com.zone:6:8", "missing $ORIGIN name")]
    [TestCase("a..b A 192.0.2.1", "example.com.zone:6:1", "empty label")]
    [TestCase("\"x\" A 192.0.2.1", "example.com.zone:6:1", "quoted")]
    [TestCase("x NSEC a.example.com. A", "example.com.zone:6:8", "RFC 3597")]
    [TestCase("x TYPE65280 \\# 0 zz", "example.com.zone:6:18", "not a hex digit")]
    public void RecordLevelErrors(string line, string where, string fragment)
    {
        AssertError(WithHeader(line + "\n"), where, fragment);
    }

    [Test]
    public void LeadingBlankWithNoPreviousOwnerIsAnError()
    {
        var zone = Parse("$ORIGIN example.com.\n$TTL 60\n  A 192.0.2.1\n");
        AssertError(zone, "example.com.zone:3:3", "no earlier record");
    }

    [Test]
    public void OriginDirectiveChangesRelativeBase()
    {
        var zone = WithHeader("$ORIGIN sub.example.com.\nwww A 192.0.2.1\n$ORIGIN deeper\nx A 192.0.2.2\n");
        AssertNoErrors(zone);
        Assert.That(At(zone, "www.sub.example.com.", RecordType.A).Count(), Is.EqualTo(1));
        Assert.That(At(zone, "x.deeper.sub.example.com.", RecordType.A).Count(), Is.EqualTo(1));
    }

    [Test]
    public void Rfc3597GenericSyntax()
    {
        var zone = WithHeader("x TYPE65280 \\# 4 0A000001\ny A \\# 4 C000 0201\nz CLASS1 TYPE1 \\# 4 c0000202\ne TYPE65281 \\# 0\n");
        AssertClean(zone);
        Assert.That(At(zone, "x.example.com.", 65280).Single().RData, Is.EqualTo(Hex("0A000001")));
        Assert.That(At(zone, "y.example.com.", RecordType.A).Single().RData, Is.EqualTo(Hex("C0000201")));
        Assert.That(At(zone, "z.example.com.", RecordType.A).Single().RData, Is.EqualTo(Hex("C0000202")));
        Assert.That(At(zone, "e.example.com.", 65281).Single().RData, Is.Empty);
    }

    [TestCase("x TYPE65280 \\# 5 0A000001", "example.com.zone:6:16", "does not match")]
    [TestCase("x TYPE65280 \\# 4 0A00001", "example.com.zone:6:18", "odd number")]
    [TestCase("x TYPE65280 \\# 4 0A0000GG", "example.com.zone:6:18", "not a hex digit")]
    [TestCase("x TYPE65280 \\# x", "example.com.zone:6:16", "bad RDATA length")]
    [TestCase("x TYPE65280 0A000001", "example.com.zone:6:13", "RFC 3597")]
    [TestCase("x TYPE70000 \\# 0", "example.com.zone:6:3", "unknown record type")]
    public void GenericSyntaxErrors(string line, string where, string fragment) =>
        AssertError(WithHeader(line + "\n"), where, fragment);

    [Test]
    public void IncludeRelativeToIncludingFileWithOrigin()
    {
        var includes = new Dictionary<string, string>
        {
            [Path.Combine("zones", "sub", "hosts.inc")] = "www A 192.0.2.1\n  A 192.0.2.2\n$INCLUDE more.inc\n",
            [Path.Combine("zones", "sub", "more.inc")] = "mail A 192.0.2.3\n",
        };
        var zone = Parse(Header + "$INCLUDE sub/hosts.inc lab\nafter A 192.0.2.9\n", includes, file: "zones/example.com.zone");
        AssertNoErrors(zone);
        Assert.That(At(zone, "www.lab.example.com.", RecordType.A).Count(), Is.EqualTo(2));
        Assert.That(At(zone, "mail.lab.example.com.", RecordType.A).Count(), Is.EqualTo(1));
        Assert.That(At(zone, "after.example.com.", RecordType.A).Count(), Is.EqualTo(1), "origin reverts after $INCLUDE");
        var www = zone.Records.First(e => e.Record.Owner == N("www.lab.example.com."));
        Assert.That(www.Location.ToString(), Is.EqualTo(Path.Combine("zones", "sub", "hosts.inc") + ":1:1"));
    }

    [Test]
    public void IncludeErrorsPointAtTheIncludeLine()
    {
        var includes = new Dictionary<string, string>
        {
            ["a.inc"] = "x A 192.0.2.1\n$INCLUDE b.inc\n",
            ["b.inc"] = "y A 192.0.2.999\n$INCLUDE a.inc\n",
            ["self.inc"] = "$INCLUDE self.inc\n",
        };
        var zone = Parse(Header + "$INCLUDE a.inc\n$INCLUDE missing.inc\n$INCLUDE self.inc\n$INCLUDE\n", includes);
        AssertError(zone, "b.inc:2:1", "$INCLUDE loop");
        AssertError(zone, "b.inc:1:5", "bad IPv4 address");
        AssertError(zone, "example.com.zone:7:1", "cannot read included file 'missing.inc'");
        AssertError(zone, "self.inc:1:1", "$INCLUDE loop");
        AssertError(zone, "example.com.zone:9:9", "missing $INCLUDE file name");
        Assert.That(At(zone, "x.example.com.", RecordType.A).Count(), Is.EqualTo(1));
    }

    [Test]
    public void LoadFromDiskWithIncludeAndMissingFile()
    {
        string dir = Directory.CreateTempSubdirectory("geodns-zones").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "inc"));
            File.WriteAllText(Path.Combine(dir, "example.com.zone"), Header + "$INCLUDE inc/hosts.txt\n");
            File.WriteAllText(Path.Combine(dir, "inc", "hosts.txt"), "www A 192.0.2.1\n$INCLUDE nothere.txt\n");
            var zone = ZoneFileLoader.Load(Path.Combine(dir, "example.com.zone"), TrafficVocabulary.BuiltIn);
            Assert.That(zone.Origin, Is.EqualTo(N("example.com.")));
            Assert.That(At(zone, "www.example.com.", RecordType.A).Count(), Is.EqualTo(1));
            AssertError(zone, Path.Combine(dir, "inc", "hosts.txt") + ":2:1", "cannot read included file 'nothere.txt'");

            var missing = ZoneFileLoader.Load(Path.Combine(dir, "absent.example.zone"), TrafficVocabulary.BuiltIn);
            Assert.That(missing.Origin, Is.EqualTo(N("absent.example.")));
            AssertError(missing, Path.Combine(dir, "absent.example.zone") + ":1:1", "cannot read zone file");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void CrLfLineEndingsAndByteOrderMark()
    {
        var zone = Parse("\uFEFF" + Header.Replace("\n", "\r\n", StringComparison.Ordinal) + "t TXT \"x\"\r\n");
        AssertClean(zone);
        Assert.That(At(zone, "t.example.com.", RecordType.TXT).Single().RData, Is.EqualTo(Hex("0178")));
    }
}
