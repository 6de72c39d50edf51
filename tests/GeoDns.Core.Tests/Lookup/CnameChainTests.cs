using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Lookup;
using static GeoDns.Core.Tests.Lookup.LookupKit;
using Rr = GeoDns.Core.Dns.RecordType;

namespace GeoDns.Core.Tests.Lookup;

/// <summary>RFC 1034 3.6.2 / 4.3.2 step 3a: CNAMEs are followed inside the zone, each step in the answer.</summary>
public sealed class CnameChainTests
{
    private static Snapshot S => ExampleComSnapshot;

    private static void AssertAnswer(DnsMessage reply, ReturnCode rcode, string[] answer, string[] authority)
    {
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(rcode));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(Lines(reply.AnswerRecords), Is.EqualTo(answer));
            Assert.That(Lines(reply.AuthorityRecords), Is.EqualTo(authority));
            Assert.That(reply.AdditionalRecords, Is.Empty);
        });
    }

    [Test]
    public void OneStepIsFollowedToTheWholeTargetRrset()
    {
        AssertAnswer(Ask(S, "alias.example.com", Rr.A), ReturnCode.NoError,
        [
            "alias.example.com. 3600 IN CNAME www.example.com.",
            "www.example.com. 3600 IN A 192.0.2.1",
            "www.example.com. 3600 IN A 192.0.2.2",
        ], []);
    }

    [Test]
    public void TheTargetRrsetIsTheOneOfTheAskedType()
    {
        AssertAnswer(Ask(S, "alias.example.com", Rr.TXT), ReturnCode.NoError,
        [
            "alias.example.com. 3600 IN CNAME www.example.com.",
            "www.example.com. 3600 IN TXT \"web\"",
        ], []);
    }

    [Test]
    public void ChainOfThreeIsFollowedStepByStep()
    {
        AssertAnswer(Ask(S, "chain1.example.com", Rr.A), ReturnCode.NoError,
        [
            "chain1.example.com. 3600 IN CNAME chain2.example.com.",
            "chain2.example.com. 3600 IN CNAME chain3.example.com.",
            "chain3.example.com. 3600 IN A 192.0.2.3",
        ], []);
        AssertAnswer(Ask(S, "chain1.example.com", Rr.TXT), ReturnCode.NoError,
        [
            "chain1.example.com. 3600 IN CNAME chain2.example.com.",
            "chain2.example.com. 3600 IN CNAME chain3.example.com.",
            "chain3.example.com. 3600 IN TXT \"end\"",
        ], []);
    }

    [Test]
    public void ChainEnteredInTheMiddleStartsThere()
    {
        AssertAnswer(Ask(S, "chain2.example.com", Rr.A), ReturnCode.NoError,
        [
            "chain2.example.com. 3600 IN CNAME chain3.example.com.",
            "chain3.example.com. 3600 IN A 192.0.2.3",
        ], []);
    }

    [Test]
    public void ChainEndingWithoutTheTypeIsNoDataAfterTheChain()
    {
        AssertAnswer(Ask(S, "chain1.example.com", Rr.AAAA), ReturnCode.NoError,
        [
            "chain1.example.com. 3600 IN CNAME chain2.example.com.",
            "chain2.example.com. 3600 IN CNAME chain3.example.com.",
        ], [ExampleComNegativeSoa]);
        AssertAnswer(Ask(S, "alias.example.com", Rr.MX), ReturnCode.NoError,
            ["alias.example.com. 3600 IN CNAME www.example.com."], [ExampleComNegativeSoa]);
    }

    [Test]
    public void ChainEndingAtAnEmptyNonTerminalIsNoData()
    {
        AssertAnswer(Ask(S, "toent.example.com", Rr.A), ReturnCode.NoError,
            ["toent.example.com. 3600 IN CNAME ent.example.com."], [ExampleComNegativeSoa]);
    }

    [Test]
    public void CnameAskedForItselfIsNotFollowed()
    {
        AssertAnswer(Ask(S, "chain1.example.com", Rr.CNAME), ReturnCode.NoError,
            ["chain1.example.com. 3600 IN CNAME chain2.example.com."], []);
    }

    [Test]
    public void CnameToAMissingNameIsNxDomainWithTheCname()
    {
        AssertAnswer(Ask(S, "dangling.example.com", Rr.A), ReturnCode.NxDomain,
            ["dangling.example.com. 3600 IN CNAME nowhere.example.com."], [ExampleComNegativeSoa]);
    }

    [TestCase(Rr.A)]
    [TestCase(Rr.AAAA)]
    [TestCase(Rr.TXT)]
    public void CnameLeavingTheZoneStopsThere(ushort type)
    {
        AssertAnswer(Ask(S, "outside.example.com", type), ReturnCode.NoError,
            ["outside.example.com. 3600 IN CNAME www.example.net."], []);
    }

    [Test]
    public void CnameLoopEndsWhenANameRepeats()
    {
        AssertAnswer(Ask(S, "loop1.example.com", Rr.A), ReturnCode.NoError,
        [
            "loop1.example.com. 3600 IN CNAME loop2.example.com.",
            "loop2.example.com. 3600 IN CNAME loop1.example.com.",
        ], []);
        AssertAnswer(Ask(S, "loop2.example.com", Rr.A), ReturnCode.NoError,
        [
            "loop2.example.com. 3600 IN CNAME loop1.example.com.",
            "loop1.example.com. 3600 IN CNAME loop2.example.com.",
        ], []);
    }

    [Test]
    public void CnameToItselfIsAnsweredOnce()
    {
        AssertAnswer(Ask(S, "self.example.com", Rr.A), ReturnCode.NoError,
            ["self.example.com. 3600 IN CNAME self.example.com."], []);
    }

    [Test]
    public void CnameIntoAWildcardGetsTheSynthesisedRecordOwnedByTheTarget()
    {
        AssertAnswer(Ask(S, "towild.example.com", Rr.A), ReturnCode.NoError,
        [
            "towild.example.com. 3600 IN CNAME some.thing.wild.example.com.",
            "some.thing.wild.example.com. 3600 IN A 192.0.2.99",
        ], []);
    }

    [Test]
    public void CnameIntoAWildcardCnameKeepsFollowing()
    {
        AssertAnswer(Ask(S, "towc.example.com", Rr.A), ReturnCode.NoError,
        [
            "towc.example.com. 3600 IN CNAME foo.wc.example.com.",
            "foo.wc.example.com. 3600 IN CNAME chain3.example.com.",
            "chain3.example.com. 3600 IN A 192.0.2.3",
        ], []);
    }

    [TestCase(Rr.A)]
    [TestCase(Rr.TXT)]
    public void CnameToANameBelowAZoneCutStopsWithoutDataFromBelowTheCut(ushort type)
    {
        var reply = Ask(S, "tosub.example.com", type);
        AssertAnswer(reply, ReturnCode.NoError, ["tosub.example.com. 3600 IN CNAME host.sub.example.com."], []);
        Assert.That(reply.AnswerRecords.OfType<ARecord>(), Is.Empty, "host.sub's A (192.0.2.66) is below the cut");
    }

    [Test]
    public void FirstOwnerKeepsTheQuestionsCase()
    {
        var reply = Ask(S, "ALIAS.Example.Com", Rr.A);
        var lines = Lines(reply.AnswerRecords);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(lines[0], Does.StartWith("ALIAS.Example.Com. 3600 IN CNAME "));
            // Later names may be compressed against the question, so their case is not asserted.
            Assert.That(lines, Is.EqualTo(new[]
            {
                "alias.example.com. 3600 IN CNAME www.example.com.",
                "www.example.com. 3600 IN A 192.0.2.1",
                "www.example.com. 3600 IN A 192.0.2.2",
            }).IgnoreCase);
        });
    }
}
