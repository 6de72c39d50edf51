using GeoDns.Core.Dns;
using GeoDns.Core.Loading;
using GeoDns.Core.Zones;
using GeoDns.Transfers;

namespace GeoDns.Tests.Transfers;

/// <summary>The IXFR history: steps between serials, started again by a reload, bounded.</summary>
public sealed class ZoneVersionsTests
{
    private static readonly Core.Lookup.Zone Zone = ZonePipeline.BuiltIn().Build(ZoneFileLoader.Parse("""
        $ORIGIN example.test.
        @ 300 SOA ns1 hostmaster 1 7200 900 1209600 60
        @ 300 NS ns1
        ns1 300 A 192.0.2.53
        """, "example.test.zone", null, TrafficVocabulary.BuiltIn)).Zone!;

    private static ResourceRecord A(byte last) => new(DnsName.Parse("www.example.test."), RecordType.A, RecordClass.IN, 30, [192, 0, 2, last]);

    [Test]
    public void StepsHoldWhatWentAndWhatCame()
    {
        var versions = new ZoneVersions();
        versions.Record(new ZoneVersion(Zone, 100, [A(10)]), reloaded: true);
        versions.Record(new ZoneVersion(Zone, 101, [A(20)]), reloaded: false);
        versions.Record(new ZoneVersion(Zone, 102, [A(20), A(30)]), reloaded: false);
        var history = versions.For(Zone.Apex)!;
        Assert.That(history.Current.Serial, Is.EqualTo(102u));
        var steps = history.StepsFrom(100)!;
        Assert.That(steps.Select(s => (s.From, s.To)), Is.EqualTo(new[] { (100u, 101u), (101u, 102u) }));
        Assert.That(steps[0].Deleted.Single().RData, Is.EqualTo(new byte[] { 192, 0, 2, 10 }));
        Assert.That(steps[0].Added.Single().RData, Is.EqualTo(new byte[] { 192, 0, 2, 20 }));
        Assert.That(steps[1].Deleted, Is.Empty);
        Assert.That(steps[1].Added.Single().RData, Is.EqualTo(new byte[] { 192, 0, 2, 30 }));
        Assert.That(history.StepsFrom(101)!, Has.Count.EqualTo(1));
        Assert.That(history.StepsFrom(99), Is.Null, "not in the history: the whole zone");
    }

    [Test]
    public void AReloadStartsAgainAndTheHistoryIsBounded()
    {
        var versions = new ZoneVersions();
        versions.Record(new ZoneVersion(Zone, 1, [A(1)]), reloaded: true);
        for (uint serial = 2; serial < 2 + ZoneVersions.MaxSteps + 10; serial++)
        {
            versions.Record(new ZoneVersion(Zone, serial, [A((byte)serial)]), reloaded: false);
        }

        Assert.That(versions.For(Zone.Apex)!.Steps, Has.Count.EqualTo(ZoneVersions.MaxSteps));
        Assert.That(versions.For(Zone.Apex)!.StepsFrom(1), Is.Null, "the oldest steps were dropped");

        versions.Record(new ZoneVersion(Zone, 500, [A(1)]), reloaded: true);
        Assert.That(versions.For(Zone.Apex)!.Steps, Is.Empty);
    }
}
