using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Lookup;
using static GeoDns.Core.Tests.Lookup.LookupKit;
using Rr = GeoDns.Core.Dns.RecordType;

namespace GeoDns.Core.Tests.Lookup;

/// <summary>
/// RFC 1034 4.3.3 as clarified by RFC 4592: synthesis from the wildcard child of the closest
/// encloser, with the query name as owner, and never for a name that exists.
/// In <see cref="LookupKit.ExampleCom"/>: *.wild (A, TXT), host.wild (A), x.y.wild (A), *.wc (CNAME).
/// </summary>
public sealed class WildcardTests
{
    private static Snapshot S => ExampleComSnapshot;

    [TestCase("a.wild.example.com")]
    [TestCase("a.b.wild.example.com")]
    [TestCase("Host-1.Deep.Wild.Example.Com")]
    public void SynthesisedAnswerIsOwnedByTheQueryName(string name)
    {
        var reply = Ask(S, name, Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[] { $"{name}. 3600 IN A 192.0.2.99" }));
            Assert.That(reply.AuthorityRecords, Is.Empty);
            Assert.That(reply.AdditionalRecords, Is.Empty);
        });
    }

    [Test]
    public void LongQueryNameIsRewrittenWhole()
    {
        // Much longer than the template "*.wild.example.com": every compression pointer moves.
        string name = "label-one.label-two.label-three.label-four.label-five.wild.example.com";
        var reply = Ask(S, name, Rr.TXT, edns: true);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.Questions.Single().Name.ToString(), Is.EqualTo(name + "."));
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[] { $"{name}. 3600 IN TXT \"wildcard\"" }));
        });
    }

    [Test]
    public void WildcardWithoutTheTypeIsNoData()
    {
        var reply = Ask(S, "a.wild.example.com", Rr.MX);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }));
        });
    }

    [Test]
    public void ExistingNameIsAnsweredFromItsOwnData()
    {
        var reply = Ask(S, "host.wild.example.com", Rr.A);
        Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[] { "host.wild.example.com. 3600 IN A 192.0.2.98" }));
    }

    [Test]
    public void ExistingNameWithoutTheTypeIsNoDataNotTheWildcard()
    {
        // *.wild has TXT, host.wild does not: RFC 4592 2.2 - host.wild exists, no synthesis.
        var reply = Ask(S, "host.wild.example.com", Rr.TXT);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }));
        });
    }

    [TestCase("y.wild.example.com", TestName = "Wildcard: empty non-terminal y.wild is not synthesised")]
    [TestCase("wild.example.com", TestName = "Wildcard: the wildcard's parent (an empty non-terminal) is not synthesised")]
    public void EmptyNonTerminalIsNoDataNotTheWildcard(string name)
    {
        var reply = Ask(S, name, Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }));
        });
    }

    [TestCase("z.y.wild.example.com", TestName = "Wildcard: closest encloser is the empty non-terminal y.wild")]
    [TestCase("deep.host.wild.example.com", TestName = "Wildcard: closest encloser is the existing host.wild")]
    [TestCase("a.b.host.wild.example.com", TestName = "Wildcard: closest encloser is host.wild, two labels down")]
    [TestCase("x.*.wild.example.com", TestName = "Wildcard: closest encloser is the wildcard node itself")]
    public void WildcardAppliesOnlyBelowTheClosestEncloser(string name)
    {
        // RFC 4592 3.3.1: the source of synthesis is *.<closest encloser>; none exists here.
        var reply = Ask(S, name, Rr.A);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NxDomain));
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }));
        });
    }

    [Test]
    public void AskingForTheAsteriskItselfMatchesTheWildcardNode()
    {
        var reply = Ask(S, "*.wild.example.com", Rr.TXT);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[] { "*.wild.example.com. 3600 IN TXT \"wildcard\"" }));
        });
    }

    [Test]
    public void WildcardCnameIsSynthesisedAndFollowed()
    {
        var reply = Ask(S, "Q.wc.example.com", Rr.TXT);
        var lines = Lines(reply.AnswerRecords);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(lines[0], Is.EqualTo("Q.wc.example.com. 3600 IN CNAME chain3.example.com."));
            Assert.That(lines, Is.EqualTo(new[]
            {
                "q.wc.example.com. 3600 IN CNAME chain3.example.com.",
                "chain3.example.com. 3600 IN TXT \"end\"",
            }).IgnoreCase);
            Assert.That(reply.AuthorityRecords, Is.Empty);
        });
    }

    [Test]
    public void WildcardCnameChainEndingWithoutTheTypeIsNoData()
    {
        var reply = Ask(S, "long-name.under.wc.example.com", Rr.AAAA);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(new[] { "long-name.under.wc.example.com. 3600 IN CNAME chain3.example.com." }));
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(new[] { ExampleComNegativeSoa }));
        });
    }

    /// <summary>An apex wildcard: everything that does not exist is synthesised, nothing that does.</summary>
    [Test]
    public void ApexWildcardCoversMissingNamesOnly()
    {
        var snapshot = SnapshotOf("""
            $ORIGIN example.org.
            $TTL 300
            @     SOA ns hostmaster 1 3600 900 604800 30
            @     NS  ns
            ns    A   192.0.2.53
            *     A   198.51.100.7
            host  MX  10 ns
            a.ent TXT "x"
            """);
        Assert.Multiple(() =>
        {
            Assert.That(Lines(Ask(snapshot, "nothing.example.org", Rr.A).AnswerRecords),
                Is.EqualTo(new[] { "nothing.example.org. 300 IN A 198.51.100.7" }));
            Assert.That(Lines(Ask(snapshot, "x.y.z.example.org", Rr.A).AnswerRecords),
                Is.EqualTo(new[] { "x.y.z.example.org. 300 IN A 198.51.100.7" }));

            var exists = Ask(snapshot, "host.example.org", Rr.A);
            Assert.That(exists.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(exists.AnswerRecords, Is.Empty, "host exists (MX only): NODATA");

            var ent = Ask(snapshot, "ent.example.org", Rr.A);
            Assert.That(ent.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(ent.AnswerRecords, Is.Empty, "ent is an empty non-terminal: NODATA");

            var below = Ask(snapshot, "sub.host.example.org", Rr.A);
            Assert.That(below.ReturnCode, Is.EqualTo(ReturnCode.NxDomain), "closest encloser host has no * child");
            Assert.That(Lines(below.AuthorityRecords), Is.EqualTo(new[] { "example.org. 30 IN SOA ns.example.org. hostmaster.example.org. 1 3600 900 604800 30" }));

            var apex = Ask(snapshot, "example.org", Rr.A);
            Assert.That(apex.AnswerRecords, Is.Empty, "the apex exists: the wildcard never answers for it");
        });
    }
}
