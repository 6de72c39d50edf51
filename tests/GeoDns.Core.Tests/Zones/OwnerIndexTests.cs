using GeoDns.Core.Dns;
using GeoDns.Core.Lookup;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

/// <summary>The loader numbers owner names once; the compiler serves with that numbering.</summary>
public class OwnerIndexTests
{
    private const string Body = """
        www A 192.0.2.1
        mail A 192.0.2.2
        www A 192.0.2.3
        a.b.deep A 192.0.2.4
        deep TXT "below it: a.b.deep, and b.deep is an empty non-terminal"
        www AAAA 2001:db8::1

        """;

    [Test]
    public void EachOwnerGetsOneNumberWhereverItsRecordsAre()
    {
        var zone = WithHeader(Body);
        AssertClean(zone);
        var (owners, ownerOf) = zone.TakeOwnerIndex();

        Assert.That(owners, Is.Not.Null);
        Assert.That(ownerOf, Has.Length.EqualTo(zone.Records.Count));
        for (int i = 0; i < zone.Records.Count; i++)
        {
            Assert.That(owners!.IndexOf(zone.Records[i].Record.Owner.Key), Is.EqualTo(ownerOf![i]), zone.Records[i].Location.ToString());
        }

        var www = Enumerable.Range(0, zone.Records.Count).Where(i => zone.Records[i].Record.Owner == N("www.example.com.")).Select(i => ownerOf![i]).ToList();
        Assert.That(www, Has.Count.EqualTo(3));
        Assert.That(www.Distinct().Count(), Is.EqualTo(1), "www's records are not consecutive but share one number");
        Assert.That(zone.TakeOwnerIndex().Owners, Is.Null, "handed over once");
    }

    [Test]
    public void DroppedDuplicatesKeepTheNumbersInStep()
    {
        var zone = WithHeader("www A 192.0.2.1\nwww A 192.0.2.1\nmail A 192.0.2.2\n");
        AssertNoErrors(zone);
        var (owners, ownerOf) = zone.TakeOwnerIndex();

        Assert.That(zone.Records, Has.Count.EqualTo(5));
        Assert.That(ownerOf, Has.Length.EqualTo(5));
        Assert.That(owners!.IndexOf(N("mail.example.com.").Key), Is.EqualTo(ownerOf![4]));
    }

    [Test]
    public void AZoneBuiltWithAndWithoutTheNumberingAnswersAlike()
    {
        var zone = WithHeader(Body);
        var numbered = ZoneBuilder.Build(zone); // takes the numbering
        var plain = ZoneBuilder.Build(zone);    // numbers the names itself

        foreach (string name in new[] { "www", "mail", "a.b.deep", "b.deep", "deep", "nope", "x.b.deep" })
        {
            string key = N(name + ".example.com.").Key;
            bool inNumbered = numbered.TryGetNode(key, out var a);
            bool inPlain = plain.TryGetNode(key, out var b);
            Assert.That(inNumbered, Is.EqualTo(inPlain), name);
            if (inNumbered)
            {
                foreach (ushort type in new[] { RecordType.A, RecordType.AAAA, RecordType.TXT, RecordType.MX })
                {
                    Assert.That(a!.AnswerFor(type, false).Body.ToArray(), Is.EqualTo(b!.AnswerFor(type, false).Body.ToArray()), $"{name} {type}");
                    Assert.That(a.AnswerFor(type, false).AnswerCount, Is.EqualTo(b.AnswerFor(type, false).AnswerCount), $"{name} {type}");
                }
            }
        }

        Assert.That(numbered.TryGetNode(N("b.deep.example.com.").Key, out var ent), Is.True, "empty non-terminal");
        Assert.That(ent!.AnswerFor(RecordType.A, false).AnswerCount, Is.Zero);
        Assert.That(numbered.TryGetNode(N("www.example.com.").Key, out var www), Is.True);
        Assert.That(www!.AnswerFor(RecordType.A, false).AnswerCount, Is.EqualTo(2));
    }
}
