using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Lookup;
using static GeoDns.Core.Tests.Lookup.LookupKit;
using Rr = GeoDns.Core.Dns.RecordType;

namespace GeoDns.Core.Tests.Lookup;

/// <summary>
/// RFC 1034 4.3.2 step 2: the zone is the nearest ancestor the server is authoritative for.
/// The parent delegates child.example.com and also holds an (occluded) www.child; the child
/// zone is loaded beside it.
/// </summary>
public sealed class ZoneSelectionTests
{
    private const string Parent = """
        $ORIGIN example.com.
        $TTL 3600
        @          SOA ns1 hostmaster 1 7200 900 1209600 60
        @          NS  ns1
        ns1        A   192.0.2.53
        www        A   192.0.2.1
        child      NS  ns.child
        child      DS  60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
        ns.child   A   192.0.2.80
        www.child  A   203.0.113.66
        """;

    private const string Child = """
        $ORIGIN child.example.com.
        $TTL 300
        @    SOA ns hostmaster 7 3600 900 604800 30
        @    NS  ns
        ns   A   192.0.2.80
        www  A   198.51.100.1
        """;

    private const string ParentSoa = "example.com. 60 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 60";
    private const string ChildSoa = "child.example.com. 30 IN SOA ns.child.example.com. hostmaster.child.example.com. 7 3600 900 604800 30";

    private static IEnumerable<TestCaseData> BothOrders()
    {
        yield return new TestCaseData(SnapshotOf(Parent, Child)).SetArgDisplayNames("parent first");
        yield return new TestCaseData(SnapshotOf(Child, Parent)).SetArgDisplayNames("child first");
    }

    [TestCaseSource(nameof(BothOrders))]
    public void ChildZoneAnswersItsNames(Snapshot snapshot)
    {
        var reply = Ask(snapshot, "www.child.example.com", Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[] { "www.child.example.com. 300 IN A 198.51.100.1" }),
                "the child's data, never the parent's occluded 203.0.113.66");
            Assert.That(reply.AuthorityRecords, Is.Empty);
        });
    }

    [TestCaseSource(nameof(BothOrders))]
    public void MissingNameInTheChildIsNxDomainWithTheChildsSoa(Snapshot snapshot)
    {
        var reply = Ask(snapshot, "nothing.child.example.com", Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NxDomain));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ChildSoa }));
        });
    }

    [TestCaseSource(nameof(BothOrders))]
    public void ChildApexIsAnsweredByTheChildNotReferred(Snapshot snapshot)
    {
        var ns = Ask(snapshot, "child.example.com", Rr.NS);
        var soa = Ask(snapshot, "child.example.com", Rr.SOA);
        Assert.Multiple(() =>
        {
            Assert.That(ns.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(ns.AnswerRecords), Is.EqualTo(new[] { "child.example.com. 300 IN NS ns.child.example.com." }));
            Assert.That(ns.AuthorityRecords, Is.Empty);
            Assert.That(Lines(ns.AdditionalRecords), Is.EqualTo(new[] { "ns.child.example.com. 300 IN A 192.0.2.80" }));
            Assert.That(soa.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(soa.AnswerRecords), Is.EqualTo(new[]
            {
                "child.example.com. 300 IN SOA ns.child.example.com. hostmaster.child.example.com. 7 3600 900 604800 30",
            }));
        });
    }

    [TestCaseSource(nameof(BothOrders))]
    public void ParentStillAnswersItsOwnNames(Snapshot snapshot)
    {
        var www = Ask(snapshot, "www.example.com", Rr.A);
        var missing = Ask(snapshot, "nothing.example.com", Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(Lines(www.AnswerRecords), Is.EqualTo(new[] { "www.example.com. 3600 IN A 192.0.2.1" }));
            Assert.That(missing.ReturnCode, Is.EqualTo(ReturnCode.NxDomain));
            Assert.That(Lines(missing.AuthorityRecords), Is.EqualTo(new[] { ParentSoa }));
        });
    }

    [Test]
    public void WithoutTheChildZoneTheParentRefers()
    {
        var reply = Ask(SnapshotOf(Parent), "www.child.example.com", Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.False);
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { "child.example.com. 3600 IN NS ns.child.example.com." }));
            Assert.That(Lines(reply.AdditionalRecords), Is.EqualTo(new[] { "ns.child.example.com. 3600 IN A 192.0.2.80" }));
        });
    }

    [Test]
    public void NameAboveBothZonesIsRefused()
    {
        var reply = Ask(SnapshotOf(Parent, Child), "com", Rr.NS);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.Refused));
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(reply.AuthorityRecords, Is.Empty);
        });
    }

    /// <summary>
    /// RFC 4035 3.1.4.1: DS lives on the parent side of the cut; a server authoritative for
    /// both zones has it and answers it (BIND, Knot and NSD answer DS at a child apex from the
    /// parent they also serve). GeoDns already does so when only the parent is loaded
    /// (<see cref="DelegationTests.DsAtTheCutIsAnsweredByTheParent"/>).
    /// </summary>
    [TestCaseSource(nameof(BothOrders))]
    public void DsAtTheChildApexIsAnsweredFromTheParent(Snapshot snapshot)
    {
        var reply = Ask(snapshot, "child.example.com", Rr.DS);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[]
            {
                "child.example.com. 3600 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
            }));
            Assert.That(reply.AuthorityRecords, Is.Empty);
        });
    }

    /// <summary>
    /// The parent side also answers when it has no DS (an unsigned delegation): NODATA with the
    /// parent's SOA, the proof a validator needs. A child served without its parent answers itself.
    /// </summary>
    [Test]
    public void DsAtTheChildApexOfAnUnsignedDelegationIsTheParentsNoData()
    {
        string unsignedParent = Parent.Replace("child      DS  60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118\n", string.Empty, StringComparison.Ordinal);
        Assume.That(unsignedParent, Does.Not.Contain(" DS "));
        var both = Ask(SnapshotOf(unsignedParent, Child), "child.example.com", Rr.DS);
        var childOnly = Ask(SnapshotOf(Child), "child.example.com", Rr.DS);
        Assert.Multiple(() =>
        {
            Assert.That(both.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(both.IsAuthoritiveAnswer, Is.True);
            Assert.That(both.AnswerRecords, Is.Empty);
            Assert.That(Lines(both.AuthorityRecords), Is.EqualTo(new[] { ParentSoa }));
            Assert.That(Lines(childOnly.AuthorityRecords), Is.EqualTo(new[] { ChildSoa }));
        });
    }
}
