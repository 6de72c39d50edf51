using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Lookup;
using static GeoDns.Core.Tests.Lookup.LookupKit;
using Rr = GeoDns.Core.Dns.RecordType;

namespace GeoDns.Core.Tests.Lookup;

/// <summary>
/// RFC 1034 4.3.2 through <see cref="QueryProcessor"/> without sockets: exact matches,
/// NODATA, NXDOMAIN, the apex, names outside every zone, case, ANY and DNAME.
/// </summary>
public sealed class SnapshotAnswerTests
{
    private static Snapshot S => ExampleComSnapshot;

    [Test]
    public void ExactMatchAnswersTheWholeRrsetAuthoritatively()
    {
        var reply = Ask(S, "www.example.com", Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(reply.IsRecursionDesired, Is.True, "RD is copied from the query");
            Assert.That(reply.Questions.Single().Name.ToString(), Is.EqualTo("www.example.com."));
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[]
            {
                "www.example.com. 3600 IN A 192.0.2.1",
                "www.example.com. 3600 IN A 192.0.2.2",
            }));
            Assert.That(reply.AuthorityRecords, Is.Empty);
            Assert.That(reply.AdditionalRecords, Is.Empty);
        });
    }

    [Test]
    public void ExactMatchAnswersOnlyTheAskedType()
    {
        var reply = Ask(S, "www.example.com", Rr.TXT);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[] { "www.example.com. 3600 IN TXT \"web\"" }));
            Assert.That(reply.AuthorityRecords, Is.Empty);
        });
    }

    [TestCase("www.example.com", Rr.AAAA, TestName = "NoData: existing name without the type")]
    [TestCase("www.example.com", Rr.MX, TestName = "NoData: existing name, MX")]
    [TestCase("ns1.example.com", Rr.TXT, TestName = "NoData: name with A and AAAA asked TXT")]
    [TestCase("ent.example.com", Rr.A, TestName = "NoData: empty non-terminal two labels up")]
    [TestCase("b.ent.example.com", Rr.A, TestName = "NoData: empty non-terminal one label up")]
    [TestCase("example.com", Rr.AAAA, TestName = "NoData: apex without AAAA")]
    public void NoDataIsNoErrorWithTheSoaAndNoAnswer(string name, ushort type)
    {
        var reply = Ask(S, name, type);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }), "SOA TTL is min(3600, MINIMUM 60)");
            Assert.That(reply.AdditionalRecords, Is.Empty);
        });
    }

    [TestCase("nothing.example.com", TestName = "NxDomain: name right below the apex")]
    [TestCase("a.b.c.nothing.example.com", TestName = "NxDomain: deep name, apex is the closest encloser")]
    [TestCase("deeper.www.example.com", TestName = "NxDomain: below an existing leaf")]
    [TestCase("c.a.b.ent.example.com", TestName = "NxDomain: below the data under an empty non-terminal")]
    [TestCase("x.b.ent.example.com", TestName = "NxDomain: sibling under an empty non-terminal")]
    public void NxDomainIsRcode3WithTheSoa(string name)
    {
        var reply = Ask(S, name, Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NxDomain));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }));
            Assert.That(reply.AdditionalRecords, Is.Empty);
            Assert.That(reply.Questions.Single().Name.ToString(), Is.EqualTo(name + "."));
        });
    }

    [Test]
    public void ApexSoaIsTheAnswerAtItsOwnTtl()
    {
        var reply = Ask(S, "example.com", Rr.SOA);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[]
            {
                "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 60",
            }));
            Assert.That(reply.AuthorityRecords, Is.Empty);
            Assert.That(reply.AdditionalRecords, Is.Empty);
        });
    }

    [Test]
    public void ApexNsIsAnAuthoritativeAnswerWithInZoneAddressesInAdditional()
    {
        var reply = Ask(S, "example.com", Rr.NS);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True, "the apex NS is the zone's own data, not a referral");
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[]
            {
                "example.com. 3600 IN NS ns1.example.com.",
                "example.com. 3600 IN NS ns.example.net.",
            }));
            Assert.That(reply.AuthorityRecords, Is.Empty);
            Assert.That(Lines(reply.AdditionalRecords), Is.EqualTo(new[]
            {
                "ns1.example.com. 3600 IN A 192.0.2.53",
                "ns1.example.com. 3600 IN AAAA 2001:db8::53",
            }), "ns.example.net is outside the zone: no address for it");
        });
    }

    [Test]
    public void ApexMxCarriesTheExchangeAddress()
    {
        var reply = Ask(S, "example.com", Rr.MX);
        Assert.Multiple(() =>
        {
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[] { "example.com. 3600 IN MX 10 mail.example.com." }));
            Assert.That(Lines(reply.AdditionalRecords), Is.EqualTo(new[] { "mail.example.com. 3600 IN A 192.0.2.25" }));
            Assert.That(reply.AuthorityRecords, Is.Empty);
        });
    }

    [TestCase("www.example.org")]
    [TestCase("com")]
    [TestCase("badexample.com")]
    [TestCase("example.co")]
    [TestCase("example.com.org")]
    public void NameOutsideEveryZoneIsRefused(string name)
    {
        var reply = Ask(S, name, Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.Refused));
            Assert.That(reply.IsAuthoritiveAnswer, Is.False);
            Assert.That(reply.Questions.Single().Name.ToString(), Is.EqualTo(name + "."));
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(reply.AuthorityRecords, Is.Empty);
            Assert.That(reply.AdditionalRecords, Is.Empty);
        });
    }

    [Test]
    public void MatchIgnoresCaseAndKeepsTheQuestionAsAsked()
    {
        var query = Query("WwW.ExAmPlE.CoM", Rr.A);
        var raw = AskRaw(S, "WwW.ExAmPlE.CoM", Rr.A);
        var reply = DnsMessage.Parse(raw);
        int questionLength = query.Length - 12;
        Assert.Multiple(() =>
        {
            Assert.That(raw[12..(12 + questionLength)], Is.EqualTo(query[12..]), "the question is echoed byte for byte");
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[]
            {
                "WwW.ExAmPlE.CoM. 3600 IN A 192.0.2.1",
                "WwW.ExAmPlE.CoM. 3600 IN A 192.0.2.2",
            }), "the owner is the question name as asked");
        });
    }

    [TestCase("mixedcase.example.com")]
    [TestCase("MIXEDCASE.EXAMPLE.COM")]
    [TestCase("MixedCase.example.com")]
    public void OwnerWrittenInMixedCaseInTheZoneFileMatchesAnyCase(string name)
    {
        var reply = Ask(S, name, Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[] { $"{name}. 3600 IN A 192.0.2.9" }));
        });
    }

    [Test]
    public void NxDomainIgnoresCase()
    {
        var reply = Ask(S, "NOTHING.Example.COM", Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NxDomain));
            Assert.That(reply.Questions.Single().Name.ToString(), Is.EqualTo("NOTHING.Example.COM."));
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }).IgnoreCase);
        });
    }

    [Test]
    public void AnyOverUdpIsOneRrsetAndOverTcpEveryRrset()
    {
        var udp = Ask(S, "www.example.com", Rr.ANY);
        var tcp = Ask(S, "www.example.com", Rr.ANY, overTcp: true);
        Assert.Multiple(() =>
        {
            Assert.That(udp.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(Lines(udp.AnswerRecords), Is.EqualTo(new[]
            {
                "www.example.com. 3600 IN A 192.0.2.1",
                "www.example.com. 3600 IN A 192.0.2.2",
            }), "RFC 8482: one RRset over UDP");
            Assert.That(Lines(tcp.AnswerRecords), Is.EqualTo(new[]
            {
                "www.example.com. 3600 IN A 192.0.2.1",
                "www.example.com. 3600 IN A 192.0.2.2",
                "www.example.com. 3600 IN TXT \"web\"",
            }));
        });
    }

    [Test]
    public void DnameIsServedAsDataAtItsOwner()
    {
        var reply = Ask(S, "d.example.com", Rr.DNAME);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[] { "d.example.com. 3600 IN DNAME example.net." }));
        });
    }

    /// <summary>
    /// docs/zone-files.md: DNAME is "served as data"; there is no RFC 6672 synthesis, so a
    /// name below it is looked up like any other (here: NXDOMAIN, no synthesised CNAME).
    /// </summary>
    [Test]
    public void NameBelowADnameIsNotRewritten()
    {
        var reply = Ask(S, "host.d.example.com", Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NxDomain));
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }));
        });
    }
}
