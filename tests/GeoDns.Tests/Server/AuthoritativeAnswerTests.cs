using System.Net;
using ARSoft.Tools.Net.Dns;

namespace GeoDns.Tests.Server;

/// <summary>RFC 1034 4.3.2 / 2181 / 4592 behaviour over real UDP and TCP sockets.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class AuthoritativeAnswerTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string>
        {
            ["example.test.zone"] = TestZones.Conformance(),
            ["simple.test.zone"] = TestZones.Simple(),
            ["limits.test.zone"] = TestZones.Limits(),
        });
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    private Task<DnsMessage> Ask(string name, RecordType type = RecordType.A, bool edns = false) =>
        DnsTestClient.UdpAsync(_server.EndPoint, new QueryBuilder { Name = name, Type = (ushort)type, Edns = edns });

    [Test]
    public async Task ExactMatchIsAuthoritativeWithoutRecursionAvailable()
    {
        var reply = await Ask("www.example.test.");
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(reply.IsRecursionAllowed, Is.False);
            Assert.That(reply.IsRecursionDesired, Is.True, "RD is copied from the query");
            Assert.That(reply.TransactionID, Is.EqualTo(0x1234));
            Assert.That(reply.AnswerRecords.OfType<ARecord>().Select(r => r.Address.ToString()),
                Is.EquivalentTo(new[] { "192.0.2.1", "192.0.2.2" }));
            Assert.That(reply.AnswerRecords.All(r => r.TimeToLive == 300), Is.True);
            Assert.That(reply.AuthorityRecords, Is.Empty);
        });
    }

    [Test]
    public async Task QuestionIsEchoedInTheCaseItWasAsked()
    {
        var raw = await DnsTestClient.UdpRawAsync(_server.EndPoint, new QueryBuilder { Name = "WwW.ExAmPlE.TeSt." }.Build());
        Assert.That(raw, Is.Not.Null);
        var question = QueryBuilder.EncodeName("WwW.ExAmPlE.TeSt.");
        Assert.That(raw![12..(12 + question.Length)], Is.EqualTo(question));
        var reply = DnsMessage.Parse(raw);
        Assert.That(reply.AnswerRecords, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task NameThatDoesNotExistIsNxDomainWithSoaAtNegativeTtl()
    {
        var reply = await Ask("nothing.example.test.");
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NxDomain));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(reply.AnswerRecords, Is.Empty);
            var soa = reply.AuthorityRecords.OfType<SoaRecord>().Single();
            Assert.That(soa.Name.ToString(), Is.EqualTo("example.test."));
            Assert.That(soa.TimeToLive, Is.EqualTo(120), "min(SOA TTL 300, minimum 120)");
        });
    }

    [Test]
    public async Task TypeThatDoesNotExistIsNoDataWithSoa()
    {
        var reply = await Ask("www.example.test.", RecordType.Aaaa);
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            Assert.That(reply.AnswerRecords, Is.Empty);
            Assert.That(reply.AuthorityRecords.OfType<SoaRecord>().Single().TimeToLive, Is.EqualTo(120));
        });
    }

    [Test]
    public async Task EmptyNonTerminalIsNoData()
    {
        foreach (var name in new[] { "b.ent.example.test.", "ent.example.test." })
        {
            var reply = await Ask(name);
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError), name);
            Assert.That(reply.AnswerRecords, Is.Empty, name);
            Assert.That(reply.AuthorityRecords.OfType<SoaRecord>().Count(), Is.EqualTo(1), name);
        }
    }

    [Test]
    public async Task CnameChainIsFollowedInsideTheZone()
    {
        var reply = await Ask("chain1.example.test.");
        Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
        Assert.That(reply.AnswerRecords.Select(r => $"{r.Name} {r.RecordType}"), Is.EqualTo(new[]
        {
            "chain1.example.test. CName", "chain2.example.test. CName", "chain3.example.test. A",
        }));
    }

    [Test]
    public async Task CnameAskedForItselfIsNotChased()
    {
        var reply = await Ask("chain1.example.test.", RecordType.CName);
        Assert.That(reply.AnswerRecords.Single(), Is.InstanceOf<CNameRecord>());
    }

    [Test]
    public async Task CnameToMissingNameIsNxDomainWithTheCname()
    {
        var reply = await Ask("dangling.example.test.");
        Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NxDomain));
        Assert.That(reply.AnswerRecords.Single(), Is.InstanceOf<CNameRecord>());
        Assert.That(reply.AuthorityRecords.OfType<SoaRecord>().Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task CnameLeavingTheZoneStopsThere()
    {
        var reply = await Ask("outside.example.test.");
        Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
        Assert.That(reply.AnswerRecords.Single(), Is.InstanceOf<CNameRecord>());
        Assert.That(reply.AuthorityRecords, Is.Empty);
    }

    [Test]
    public async Task CnameLoopEndsAndStillAnswers()
    {
        var reply = await Ask("loop1.example.test.");
        Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
        Assert.That(reply.AnswerRecords.OfType<CNameRecord>().Count(), Is.EqualTo(2));
    }

    [Test]
    public async Task WildcardIsSynthesisedWithTheQueryNameAsOwner()
    {
        var reply = await Ask("Host-1.deep.Wild.example.test.");
        Assert.Multiple(() =>
        {
            Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(reply.IsAuthoritiveAnswer, Is.True);
            var a = reply.AnswerRecords.OfType<ARecord>().Single();
            Assert.That(a.Name.ToString(), Is.EqualTo("host-1.deep.wild.example.test.").IgnoreCase);
            Assert.That(a.Address, Is.EqualTo(IPAddress.Parse("192.0.2.99")));
        });
    }

    [Test]
    public async Task WildcardWithoutTheTypeIsNoData()
    {
        var reply = await Ask("x.wild.example.test.", RecordType.Mx);
        Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
        Assert.That(reply.AnswerRecords, Is.Empty);
        Assert.That(reply.AuthorityRecords.OfType<SoaRecord>().Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task CnameIntoAWildcardIsChased()
    {
        var reply = await Ask("wc.example.test.", RecordType.Txt);
        Assert.That(reply.AnswerRecords.Select(r => $"{r.Name} {r.RecordType}"),
            Is.EqualTo(new[] { "wc.example.test. CName", "x.wild.example.test. Txt" }));
    }

    [Test]
    public async Task DelegationGivesAReferralWithGlue()
    {
        foreach (var name in new[] { "sub.example.test.", "host.deep.sub.example.test.", "ns.sub.example.test." })
        {
            var reply = await Ask(name);
            Assert.Multiple(() =>
            {
                Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError), name);
                Assert.That(reply.IsAuthoritiveAnswer, Is.False, name);
                Assert.That(reply.AnswerRecords, Is.Empty, name);
                Assert.That(reply.AuthorityRecords.OfType<NsRecord>().Select(r => r.NameServer.ToString()),
                    Is.EquivalentTo(new[] { "ns.sub.example.test.", "ns.elsewhere.invalid." }), name);
                Assert.That(reply.AdditionalRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.77")), name);
            });
        }
    }

    [Test]
    public async Task DsAtTheCutIsAnsweredByTheParent()
    {
        var reply = await Ask("sub.example.test.", RecordType.Ds);
        Assert.That(reply.IsAuthoritiveAnswer, Is.True);
        Assert.That(reply.AnswerRecords.Single(), Is.InstanceOf<DsRecord>());
    }

    [Test]
    public async Task ApexNsCarriesGlueInAdditional()
    {
        var reply = await Ask("example.test.", RecordType.Ns);
        Assert.That(reply.AnswerRecords, Has.Count.EqualTo(2));
        Assert.That(reply.AdditionalRecords.Select(r => $"{r.Name} {r.RecordType}"), Is.EquivalentTo(new[]
        {
            "ns1.example.test. A", "ns2.example.test. A", "ns2.example.test. Aaaa",
        }));
    }

    [Test]
    public async Task NameOutsideEveryZoneIsRefused()
    {
        var reply = await Ask("www.example.org.");
        Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.Refused));
        Assert.That(reply.IsAuthoritiveAnswer, Is.False);
        Assert.That(reply.Questions.Single().Name.ToString(), Is.EqualTo("www.example.org."));
    }

    [Test]
    public async Task MostSpecificZoneAnswers()
    {
        var reply = await Ask("www.simple.test.");
        Assert.That(reply.AnswerRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.1")));
        Assert.That((await Ask("nope.simple.test.")).AuthorityRecords.OfType<SoaRecord>().Single().Name.ToString(), Is.EqualTo("simple.test."));
    }

    [Test]
    public async Task AnyOverUdpGetsOneRrsetAndOverTcpAll()
    {
        var udp = await Ask("example.test.", RecordType.Any);
        Assert.That(udp.ReturnCode, Is.EqualTo(ReturnCode.NoError));
        Assert.That(udp.AnswerRecords.Select(r => r.RecordType).Distinct().Count(), Is.EqualTo(1), "RFC 8482: a subset over UDP");
        var tcp = await DnsTestClient.TcpAsync(_server.EndPoint, new QueryBuilder { Name = "example.test.", Type = 255 });
        Assert.That(tcp.AnswerRecords.Select(r => r.RecordType).Distinct(), Is.SupersetOf(new[] { RecordType.Soa, RecordType.Ns, RecordType.A, RecordType.Mx }));
    }

    [Test]
    public async Task LargeAnswerIsTruncatedOverUdpAndWholeOverTcp()
    {
        var plain = await Ask("many.example.test.");
        Assert.That(plain.IsTruncated, Is.True, "40 A records do not fit in 512 octets");
        var edns = await Ask("many.example.test.", edns: true);
        Assert.That(edns.IsTruncated, Is.False, "they fit in 1232");
        Assert.That(edns.AnswerRecords, Has.Count.EqualTo(40));
        var big = await Ask("big.example.test.", RecordType.Txt);
        Assert.That(big.IsTruncated, Is.True);
        Assert.That(big.AnswerRecords, Is.Empty);
        var tcp = await DnsTestClient.TcpAsync(_server.EndPoint, new QueryBuilder { Name = "big.example.test.", Type = 16 });
        Assert.That(tcp.IsTruncated, Is.False);
        Assert.That(tcp.AnswerRecords.OfType<TxtRecord>().Single().TextParts.Count(), Is.EqualTo(4));
    }

    [Test]
    public async Task AdditionalDataIsDroppedBeforeTruncating()
    {
        // Over TCP: 2 NS and 24 AAAA of glue, 737 octets in all, well over 512.
        var wholeRaw = await DnsTestClient.TcpRawAsync(_server.EndPoint, new QueryBuilder { Name = "limits.test.", Type = 2 }.Build());
        Assert.That(wholeRaw, Has.Length.EqualTo(737));
        Assert.That(DnsMessage.Parse(wholeRaw).AdditionalRecords.OfType<AaaaRecord>().Count(), Is.EqualTo(24));

        // Over UDP without EDNS the optional glue goes, the answer stays, and TC stays clear.
        var raw = await DnsTestClient.UdpRawAsync(_server.EndPoint, new QueryBuilder { Name = "limits.test.", Type = 2 }.Build());
        Assert.That(raw, Is.Not.Null, "no UDP reply");
        Assert.That(raw!, Has.Length.LessThanOrEqualTo(512));
        var udp = DnsMessage.Parse(raw);
        Assert.Multiple(() =>
        {
            Assert.That(udp.IsTruncated, Is.False, "dropping the additional section made it fit");
            Assert.That(udp.ReturnCode, Is.EqualTo(ReturnCode.NoError));
            Assert.That(udp.AnswerRecords.OfType<NsRecord>().Select(r => r.NameServer.ToString()),
                Is.EquivalentTo(new[] { "ns1.limits.test.", "ns2.limits.test." }));
            Assert.That(udp.AdditionalRecords, Is.Empty);
        });

        // With EDNS (1232) it all fits: nothing is dropped that did not have to be.
        var edns = await DnsTestClient.UdpAsync(_server.EndPoint, new QueryBuilder { Name = "limits.test.", Type = 2, Edns = true });
        Assert.That(edns.IsTruncated, Is.False);
        Assert.That(edns.AdditionalRecords.OfType<AaaaRecord>().Count(), Is.EqualTo(24));
    }

    [Test]
    public async Task InDomainGlueThatDoesNotFitTruncatesTheReferral()
    {
        // RFC 9471: a referral's in-domain glue is not optional; 30 AAAA make it 890 octets.
        var udp = await Ask("www.sub.limits.test.");
        Assert.Multiple(() =>
        {
            Assert.That(udp.IsTruncated, Is.True, "glue below the cut cannot be dropped: TC=1");
            Assert.That(udp.AnswerRecords, Is.Empty);
            Assert.That(udp.AuthorityRecords, Is.Empty);
            Assert.That(udp.AdditionalRecords, Is.Empty);
        });

        var edns = await Ask("www.sub.limits.test.", edns: true);
        Assert.That(edns.IsTruncated, Is.False, "890 octets fit in 1232");
        Assert.That(edns.AuthorityRecords.OfType<NsRecord>().Single().NameServer.ToString(), Is.EqualTo("ns.sub.limits.test."));
        Assert.That(edns.AdditionalRecords.OfType<AaaaRecord>().Count(), Is.EqualTo(30));

        var tcp = await DnsTestClient.TcpAsync(_server.EndPoint, new QueryBuilder { Name = "www.sub.limits.test." });
        Assert.That(tcp.IsTruncated, Is.False);
        Assert.That(tcp.AdditionalRecords.OfType<AaaaRecord>().Count(), Is.EqualTo(30));
    }
}
