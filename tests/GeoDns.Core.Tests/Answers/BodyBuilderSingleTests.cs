using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Answers;

/// <summary>The one-record shortcut must encode exactly what the general builder does.</summary>
public class BodyBuilderSingleTests
{
    private const string Body = """
        www A 192.0.2.1
        v6 AAAA 2001:db8::1
        txt TXT "one" "two words" "\\"quoted\\""
        long TXT "{0}"
        caa CAA 0 issue "ca.example.net"
        sshfp SSHFP 1 1 0123456789abcdef0123456789abcdef01234567
        *.wild A 192.0.2.9
        UPPER.Case A 192.0.2.10
        unknown TYPE65280 \# 3 010203
        https HTTPS 1 . alpn=h2

        """;

    [Test]
    public void EncodesEveryPlainTypeAsTheGeneralPathDoes()
    {
        var zone = WithHeader(Body.Replace("{0}", new string('x', 250)));
        AssertClean(zone);
        var plain = zone.Records.Select(e => e.Record).Where(r => BodyBuilder.IsPlainData(r.Type)).ToList();
        Assert.That(plain, Has.Count.GreaterThanOrEqualTo(10)); // the body's records and the header's glue

        foreach (var record in plain)
        {
            var mode = record.Owner.IsWildcard ? TemplateMode.Wildcard : TemplateMode.Exact;
            var general = new BodyBuilder(record.Owner, mode);
            general.AddOwnedByQuestion(record);
            general.StartSection(Section.Additional);
            var expected = general.Build(true, ResponseCode.NoError);
            var single = new BodyBuilder(record.Owner, mode, new BodyArena()).BuildSingle(record.Owner, record, mode);

            string what = $"{record.Owner} type {record.Type}";
            Assert.Multiple(() =>
            {
                Assert.That(single.Body.ToArray(), Is.EqualTo(expected.Body.ToArray()), what);
                Assert.That(single.Fixups, Is.EqualTo(expected.Fixups), what);
                Assert.That(single.TemplateNameLength, Is.EqualTo(expected.TemplateNameLength), what);
                Assert.That(single.LengthWithoutAdditional, Is.EqualTo(expected.LengthWithoutAdditional), what);
                Assert.That((single.AnswerCount, single.AuthorityCount, single.AdditionalCount), Is.EqualTo((expected.AnswerCount, expected.AuthorityCount, expected.AdditionalCount)), what);
                Assert.That((single.Authoritative, single.ResponseCode, single.AdditionalRequired), Is.EqualTo((expected.Authoritative, expected.ResponseCode, expected.AdditionalRequired)), what);
                Assert.That(single.Dynamic, Is.Null, what);
            });
        }
    }

    [Test]
    public void RefusesTypesWithNamesInTheirData()
    {
        var zone = WithHeader("mx MX 10 mail\nalias CNAME www\nsrv SRV 1 2 3 www\n");
        var builder = new BodyBuilder(N("example.com."), TemplateMode.Exact);
        var withNames = zone.Records.Where(e => e.Record.Type is RecordType.MX or RecordType.CNAME or RecordType.SRV or RecordType.NS or RecordType.SOA).ToList();
        Assert.That(withNames, Has.Count.GreaterThanOrEqualTo(5));
        foreach (var entry in withNames)
        {
            Assert.That(BodyBuilder.IsPlainData(entry.Record.Type), Is.False, entry.Record.Type.ToString());
            Assert.Throws<ArgumentException>(() => builder.BuildSingle(entry.Record.Owner, entry.Record, TemplateMode.Exact));
        }
    }
}
