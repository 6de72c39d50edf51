using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Lookup;
using static GeoDns.Core.Tests.Lookup.LookupKit;
using Rr = GeoDns.Core.Dns.RecordType;

namespace GeoDns.Core.Tests.Lookup;

/// <summary>
/// RFC 1034 4.3.2 step 3b: at or below a zone cut the reply is a referral (NS in authority,
/// glue in additional, AA clear), never data from below the cut. In <see cref="LookupKit.ExampleCom"/>
/// sub is delegated with in-zone glue and a DS; nods is delegated out of zone without DS.
/// </summary>
public sealed class DelegationTests
{
    private static Snapshot S => ExampleComSnapshot;

    private static readonly string[] SubNs =
    [
        "sub.example.com. 3600 IN NS ns.sub.example.com.",
        "sub.example.com. 3600 IN NS ns.example.net.",
    ];

    private static readonly string[] SubGlue =
    [
        "ns.sub.example.com. 3600 IN A 192.0.2.77",
        "ns.sub.example.com. 3600 IN AAAA 2001:db8::77",
    ];

    private static void AssertReferral(DnsMessage reply, string[] ns, string[] glue)
    {
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.False, "a referral is not authoritative");
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(ns));
            Assert.That(Lines(reply.AdditionalRecords), Is.EqualTo(glue));
        });
    }

    [TestCase("sub.example.com", Rr.A, TestName = "Referral: the cut itself, A")]
    [TestCase("sub.example.com", Rr.NS, TestName = "Referral: the cut itself, NS (the child's data)")]
    [TestCase("sub.example.com", Rr.SOA, TestName = "Referral: the cut itself, SOA")]
    [TestCase("sub.example.com", Rr.ANY, TestName = "Referral: the cut itself, ANY")]
    [TestCase("host.sub.example.com", Rr.A, TestName = "Referral: name with (occluded) data below the cut")]
    [TestCase("ns.sub.example.com", Rr.A, TestName = "Referral: the glue name itself, A")]
    [TestCase("ns.sub.example.com", Rr.AAAA, TestName = "Referral: the glue name itself, AAAA")]
    [TestCase("a.b.host.sub.example.com", Rr.A, TestName = "Referral: deep missing name below the cut")]
    [TestCase("nothing.sub.example.com", Rr.TXT, TestName = "Referral: missing name below the cut")]
    [TestCase("host.sub.example.com", Rr.DS, TestName = "Referral: DS below the cut belongs to the child")]
    public void NamesAtOrBelowTheCutGetAReferralWithGlue(string name, ushort type)
    {
        AssertReferral(Ask(S, name, type), SubNs, SubGlue);
    }

    [Test]
    public void DataBelowTheCutIsNeverAnswered()
    {
        var raw = AskRaw(S, "host.sub.example.com", Rr.A);
        var reply = DnsMessage.Parse(raw);
        Assert.Multiple(() =>
        {
            Assert.That(reply.AnswerRecords.Concat(reply.AuthorityRecords).Concat(reply.AdditionalRecords).OfType<ARecord>().Select(r => r.Address.ToString()), Has.No.Member("192.0.2.66"));
            Assert.That(Convert.ToHexString(raw), Does.Not.Contain("C0000242"), "192.0.2.66 appears nowhere in the reply");
        });
    }

    [Test]
    public void ReferralWithoutInZoneGlueHasNoAdditional()
    {
        foreach (var name in new[] { "nods.example.com", "x.nods.example.com" })
        {
            AssertReferral(Ask(S, name, Rr.A), ["nods.example.com. 3600 IN NS ns.example.net."], []);
        }
    }

    [Test]
    public void DsAtTheCutIsAnsweredByTheParent()
    {
        var reply = Ask(S, "sub.example.com", Rr.DS);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True, "the parent is authoritative for DS (RFC 4035 3.1.4.1)");
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[]
            {
                "sub.example.com. 3600 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
            }));
            Assert.That(reply.AuthorityRecords, Is.Empty);
        });
    }

    [Test]
    public void DsAtACutWithoutDsIsNoDataFromTheParent()
    {
        var reply = Ask(S, "nods.example.com", Rr.DS);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }));
        });
    }

    [Test]
    public void ReferralIsFoundWhateverTheCaseOfTheQuestion()
    {
        var reply = Ask(S, "HOST.Sub.Example.com", Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.IsAuthoritiveAnswer, Is.False);
            Assert.That(reply.Questions.Single().Name.ToString(), Is.EqualTo("HOST.Sub.Example.com."));
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(SubNs).IgnoreCase);
            Assert.That(Lines(reply.AdditionalRecords), Is.EqualTo(SubGlue).IgnoreCase);
        });
    }

    [Test]
    public void NameBesideTheCutIsNotAffected()
    {
        var reply = Ask(S, "subway.example.com", Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NxDomain), "subway is not below sub");
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }));
        });
    }

    [Test]
    public void WildcardDoesNotReachBelowACut()
    {
        var snapshot = SnapshotOf("""
            $ORIGIN example.org.
            $TTL 300
            @      SOA ns hostmaster 1 3600 900 604800 30
            @      NS  ns
            ns     A   192.0.2.53
            *      A   198.51.100.7
            deleg  NS  ns.example.net.
            """);
        AssertReferral(Ask(snapshot, "anything.deleg.example.org", Rr.A), ["deleg.example.org. 300 IN NS ns.example.net."], []);
        Assert.That(Lines(Ask(snapshot, "anything.example.org", Rr.A).AnswerRecords),
            Is.EqualTo(new[] { "anything.example.org. 300 IN A 198.51.100.7" }), "the wildcard still covers names beside the cut");
    }

    [Test]
    public void CutBelowACutIsOccludedByTheTopmostOne()
    {
        var snapshot = SnapshotOf("""
            $ORIGIN example.org.
            $TTL 300
            @             SOA ns hostmaster 1 3600 900 604800 30
            @             NS  ns
            ns            A   192.0.2.53
            top           NS  ns.example.net.
            inner.top     NS  ns.inner.top
            inner.top     DS  60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
            ns.inner.top  A   192.0.2.88
            """);
        foreach (var (name, type) in new[] { ("x.inner.top.example.org", Rr.A), ("inner.top.example.org", Rr.NS), ("inner.top.example.org", Rr.DS), ("ns.inner.top.example.org", Rr.A) })
        {
            AssertReferral(Ask(snapshot, name, type), ["top.example.org. 300 IN NS ns.example.net."], []);
        }
    }
}
