using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Lookup;
using GeoDns.Core.Wire;
using static GeoDns.Core.Tests.Lookup.LookupKit;

namespace GeoDns.Core.Tests.Lookup;

/// <summary>
/// <see cref="Snapshot.Resolve"/> itself: which prepared answer it picks for a name and type,
/// checked by identity against the zone's own answers and by the answer's header fields.
/// </summary>
public sealed class SnapshotResolveTests
{
    private Zone _zone = null!;
    private Snapshot _snapshot = null!;

    [OneTimeSetUp]
    public void Build()
    {
        _zone = BuildZone(ExampleCom);
        _snapshot = new Snapshot([_zone]);
    }

    private PreparedAnswer Resolve(string name, ushort type, bool overTcp = false)
    {
        var answer = LookupKit.Resolve(_snapshot, name, type, overTcp);
        Assert.That(answer, Is.Not.Null, $"{name} is inside example.com");
        return answer!;
    }

    [TestCase("www.example.org.")]
    [TestCase("com.")]
    [TestCase(".")]
    [TestCase("badexample.com.")]
    [TestCase("example.com.example.org.")]
    public void NameOutsideEveryZoneResolvesToNothing(string name)
    {
        Assert.That(LookupKit.Resolve(_snapshot, name, RecordType.A), Is.Null, "null means REFUSED");
    }

    [Test]
    public void EmptySnapshotResolvesNothing()
    {
        Assert.That(LookupKit.Resolve(Snapshot.Empty, "www.example.com.", RecordType.A), Is.Null);
    }

    [Test]
    public void ExactMatchIsAnAuthoritativeDataAnswer()
    {
        var answer = Resolve("www.example.com.", RecordType.A);
        Assert.Multiple(() =>
        {
            Assert.That(answer.ResponseCode, Is.EqualTo(ResponseCode.NoError));
            Assert.That(answer.Authoritative, Is.True);
            Assert.That(answer.AnswerCount, Is.EqualTo(2));
            Assert.That(answer.AuthorityCount, Is.Zero);
            Assert.That(answer.AdditionalCount, Is.Zero);
            Assert.That(answer.TemplateNameLength, Is.EqualTo(DnsName.Parse("www.example.com.").WireLength), "built for the exact name");
        });
    }

    [Test]
    public void DifferentTypesOfOneNameHaveDifferentAnswers()
    {
        var a = Resolve("www.example.com.", RecordType.A);
        var txt = Resolve("www.example.com.", RecordType.TXT);
        Assert.Multiple(() =>
        {
            Assert.That(txt, Is.Not.SameAs(a));
            Assert.That(txt.AnswerCount, Is.EqualTo(1));
        });
    }

    [TestCase("www.example.com.", RecordType.AAAA)]
    [TestCase("ent.example.com.", RecordType.A)]
    [TestCase("b.ent.example.com.", RecordType.A)]
    [TestCase("wild.example.com.", RecordType.A)]
    [TestCase("a.wild.example.com.", RecordType.MX)]
    [TestCase("host.wild.example.com.", RecordType.TXT)]
    [TestCase("nods.example.com.", RecordType.DS)]
    public void NoDataIsTheZonesNoDataAnswer(string name, ushort type)
    {
        var answer = Resolve(name, type);
        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.SameAs(Resolve("example.com.", RecordType.AAAA)), "one NODATA answer for every name of the zone");
            Assert.That(answer.ResponseCode, Is.EqualTo(ResponseCode.NoError));
            Assert.That(answer.Authoritative, Is.True);
            Assert.That(answer.AnswerCount, Is.Zero);
            Assert.That(answer.AuthorityCount, Is.EqualTo(1));
        });
    }

    [TestCase("nothing.example.com.")]
    [TestCase("a.b.c.example.com.")]
    [TestCase("x.www.example.com.")]
    [TestCase("z.y.wild.example.com.")]
    [TestCase("deep.host.wild.example.com.")]
    public void NxDomainIsTheZonesNxDomainAnswer(string name)
    {
        var answer = Resolve(name, RecordType.A);
        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.SameAs(_zone.NxDomain));
            Assert.That(answer.ResponseCode, Is.EqualTo(ResponseCode.NxDomain));
            Assert.That(answer.Authoritative, Is.True);
            Assert.That(answer.AnswerCount, Is.Zero);
            Assert.That(answer.AuthorityCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void EveryNameUnderAWildcardSharesTheWildcardsAnswer()
    {
        var one = Resolve("a.wild.example.com.", RecordType.A);
        var two = Resolve("x.y.z.q.wild.example.com.", RecordType.A);
        var literal = Resolve("*.wild.example.com.", RecordType.A);
        var existing = Resolve("host.wild.example.com.", RecordType.A);
        Assert.Multiple(() =>
        {
            Assert.That(two, Is.SameAs(one));
            Assert.That(literal, Is.SameAs(one), "the * name itself is the same node");
            Assert.That(one.AnswerCount, Is.EqualTo(1));
            Assert.That(one.TemplateNameLength, Is.EqualTo(DnsName.Parse("*.wild.example.com.").WireLength), "built for the wildcard owner");
            Assert.That(existing, Is.Not.SameAs(one), "host.wild has its own data");
        });
    }

    [TestCase("sub.example.com.", RecordType.A)]
    [TestCase("sub.example.com.", RecordType.NS)]
    [TestCase("ns.sub.example.com.", RecordType.A)]
    [TestCase("host.sub.example.com.", RecordType.A)]
    [TestCase("host.sub.example.com.", RecordType.DS)]
    [TestCase("a.b.nothing.sub.example.com.", RecordType.A)]
    public void NamesAtOrBelowACutShareItsReferral(string name, ushort type)
    {
        var referral = Resolve("sub.example.com.", RecordType.TXT);
        var answer = Resolve(name, type);
        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.SameAs(referral));
            Assert.That(answer.Authoritative, Is.False);
            Assert.That(answer.ResponseCode, Is.EqualTo(ResponseCode.NoError));
            Assert.That(answer.AnswerCount, Is.Zero);
            Assert.That(answer.AuthorityCount, Is.EqualTo(2), "the two NS");
            Assert.That(answer.AdditionalCount, Is.EqualTo(2), "A and AAAA of ns.sub");
            Assert.That(answer.AdditionalRequired, Is.True, "in-domain glue must not be dropped (RFC 9471)");
            Assert.That(answer.TemplateNameLength, Is.EqualTo(DnsName.Parse("sub.example.com.").WireLength), "built for the cut");
        });
    }

    [Test]
    public void ReferralWithOutOfZoneNameServersNeedsNoAdditional()
    {
        var answer = Resolve("x.nods.example.com.", RecordType.A);
        Assert.Multiple(() =>
        {
            Assert.That(answer.Authoritative, Is.False);
            Assert.That(answer.AuthorityCount, Is.EqualTo(1));
            Assert.That(answer.AdditionalCount, Is.Zero);
            Assert.That(answer.AdditionalRequired, Is.False);
        });
    }

    [Test]
    public void DsAtTheCutIsTheParentsDataNotTheReferral()
    {
        var ds = Resolve("sub.example.com.", RecordType.DS);
        Assert.Multiple(() =>
        {
            Assert.That(ds, Is.Not.SameAs(Resolve("sub.example.com.", RecordType.A)));
            Assert.That(ds.Authoritative, Is.True);
            Assert.That(ds.AnswerCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void MostSpecificZoneIsChosenWhateverTheOrderOfZones()
    {
        var parent = BuildZone(ExampleCom);
        var child = BuildZone("""
            $ORIGIN sub.example.com.
            $TTL 300
            @    SOA ns hostmaster 7 3600 900 604800 30
            @    NS  ns
            ns   A   192.0.2.77
            """);
        foreach (var snapshot in new[] { new Snapshot([parent, child]), new Snapshot([child, parent]) })
        {
            Assert.Multiple(() =>
            {
                Assert.That(LookupKit.Resolve(snapshot, "nothing.sub.example.com.", RecordType.A), Is.SameAs(child.NxDomain));
                Assert.That(LookupKit.Resolve(snapshot, "host.sub.example.com.", RecordType.A), Is.SameAs(child.NxDomain),
                    "the parent's occluded host.sub is not consulted");
                Assert.That(LookupKit.Resolve(snapshot, "nothing.example.com.", RecordType.A), Is.SameAs(parent.NxDomain));
                Assert.That(LookupKit.Resolve(snapshot, "sub.example.com.", RecordType.A), Is.SameAs(LookupKit.Resolve(new Snapshot([child]), "sub.example.com.", RecordType.A)),
                    "the child's apex is the child's, not the parent's referral");
            });
        }
    }

    /// <summary>
    /// The loader accepts a root zone (origin "."): the zone match and the closest-encloser
    /// walk both reach its apex, the last character of the query key (once read as
    /// labelStarts[zoneLabel], one past the end, which threw out of the query path).
    /// </summary>
    [TestCase("nothing.")]
    [TestCase("a.b.nothing.")]
    public void NameMissingFromARootZoneIsNxDomain(string name)
    {
        var root = BuildZone("""
            $ORIGIN .
            $TTL 86400
            @    SOA a.root-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400
            @    NS  a.root-servers.net.
            com  NS  a.gtld-servers.net.
            """);
        var snapshot = new Snapshot([root]);
        Assert.Multiple(() =>
        {
            Assert.That(LookupKit.Resolve(snapshot, "x.com.", RecordType.A)?.Authoritative, Is.False, "below the com cut: referral");
            Assert.That(LookupKit.Resolve(snapshot, name, RecordType.A), Is.SameAs(root.NxDomain));
            Assert.That(Ask(snapshot, name, RecordType.A).ReturnCode, Is.EqualTo(ARSoft.Tools.Net.Dns.ReturnCode.NxDomain),
                "the whole query path answers NXDOMAIN");
        });
    }
}
