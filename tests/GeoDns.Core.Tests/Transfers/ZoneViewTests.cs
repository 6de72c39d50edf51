using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Transfers;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Core.Tests.Transfers;

/// <summary>
/// What a secondary receives: plain records as in the file, each pool as the plain records a
/// client that cannot be located gets now, nothing of the traffic syntax or private types.
/// </summary>
public sealed class ZoneViewTests
{
    private const string ZoneText = """
        $ORIGIN example.test.
        $TTL 300
        @        SOA    ns1 hostmaster 2026010101 7200 900 1209600 60
        @        NS     ns1
        ns1      A      192.0.2.53
        info     TXT    "hello"
        private  TYPE65300 \# 2 0102
        $REGION  eu  continents=EU countries=SE
        $REGION  us  continents=NA
        www      CNAME  www.gtm
        www.gtm  30  POOL    A  policy=geo fallback=failover max-answers=1 if-all-down=all
        www.gtm  30  MEMBER  eu  192.0.2.10 priority=1
        www.gtm  30  MEMBER  us  192.0.2.20 priority=2
        api      20  POOL    AAAA  policy=weighted max-answers=2
        api      20  MEMBER  eu  2001:db8::1 weight=1
        api      20  MEMBER  us  2001:db8::2 weight=3
        api      20  MEMBER  us  2001:db8::3 weight=3
        """;

    private HealthBoard _board = null!;
    private Zone _zone = null!;

    [SetUp]
    public void Build()
    {
        _board = new HealthBoard();
        var pipeline = ZonePipeline.BuiltIn(_board);
        var file = ZoneFileLoader.Parse(ZoneText, "example.test.zone", null, pipeline.Vocabulary);
        Assert.That(file.HasErrors, Is.False, string.Join("\n", file.Diagnostics));
        _zone = pipeline.Build(file).Zone!;
    }

    private List<string> View(uint serial = 7) =>
        [.. ZoneView.Records(_zone, serial).Select(r => $"{r.Owner} {r.Ttl} {RecordTypeNames(r.Type)} {RDataFormatter.Format(r.Type, r.RData)}")];

    private static string RecordTypeNames(ushort type) => RecordTypes.Find(type)?.Mnemonic ?? $"TYPE{type}";

    private void SetDown(string pool, string member) =>
        _board.Members.Single(m => m.Key == new MemberKey(pool, member)).SetOverride(MemberOverride.ForceDown);

    [Test]
    public void StaticRecordsComeAsInTheFileWithTheSoaFirstAndItsSerialReplaced()
    {
        var view = View(serial: 4000000000);
        Assert.That(view[0], Does.StartWith("example.test. 300 SOA ").And.Contains(" 4000000000 "));
        Assert.That(view, Has.Member("ns1.example.test. 300 A 192.0.2.53"));
        Assert.That(view, Has.Member("info.example.test. 300 TXT \"hello\""));
        Assert.That(view, Has.Member("www.example.test. 300 CNAME www.gtm.example.test."));
        Assert.That(view.Count(l => l.Contains(" SOA ", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public void NoPrivateTypeAndNoTrafficSyntaxIsEverSent()
    {
        var records = ZoneView.Records(_zone, 1).ToList();
        Assert.That(records.Select(r => r.Type), Has.None.InRange(ZoneView.FirstPrivateType, ZoneView.LastPrivateType));
        Assert.That(_zone.Source!.Records.Select(e => e.Record.Type), Has.Some.EqualTo((ushort)65300), "the file does hold one");
        Assert.That(View(), Has.None.Contains("POOL").And.None.Contains("MEMBER").And.None.Contains("REGION"));
    }

    [Test]
    public void EachPoolIsItsFallbackAnswerWithThePoolsTtlAndType()
    {
        var view = View();
        // geo with an unlocated client: fallback failover, the priority-1 member.
        Assert.That(view.Where(l => l.StartsWith("www.gtm.", StringComparison.Ordinal)), Is.EqualTo(new[] { "www.gtm.example.test. 30 A 192.0.2.10" }));
        // weighted, max-answers=2: two AAAA records with the pool's TTL, the same two every time.
        var api = view.Where(l => l.StartsWith("api.", StringComparison.Ordinal)).ToList();
        Assert.That(api, Has.Count.EqualTo(2).And.All.Contains(" 20 AAAA 2001:db8::"));
        Assert.That(View().Where(l => l.StartsWith("api.", StringComparison.Ordinal)), Is.EqualTo(api), "a fixed draw: stable while health is");
    }

    [Test]
    public void HealthDrainsForcedStatesAndPinsChangeTheView()
    {
        ulong before = ZoneView.PoolFingerprint(_zone);
        SetDown("www.gtm.example.test.", "192.0.2.10");
        Assert.That(View(), Has.Member("www.gtm.example.test. 30 A 192.0.2.20"), "forced down: the next by priority");
        Assert.That(ZoneView.PoolFingerprint(_zone), Is.Not.EqualTo(before));

        _board.Members.Single(m => m.Key == new MemberKey("www.gtm.example.test.", "192.0.2.10")).SetOverride(MemberOverride.Auto);
        Assert.That(ZoneView.PoolFingerprint(_zone), Is.EqualTo(before), "back: the same fingerprint");

        _board.SetRegionDrained("eu", true);
        Assert.That(View(), Has.Member("www.gtm.example.test. 30 A 192.0.2.20"), "eu drained");
        Assert.That(View().Where(l => l.StartsWith("api.", StringComparison.Ordinal)),
            Is.EquivalentTo(new[] { "api.example.test. 20 AAAA 2001:db8::2", "api.example.test. 20 AAAA 2001:db8::3" }));
        _board.SetRegionDrained("eu", false);

        _board.Pool("www.gtm.example.test.").PinnedRegion = "us";
        Assert.That(View(), Has.Member("www.gtm.example.test. 30 A 192.0.2.20"), "pinned to us");
    }

    [Test]
    public void AllDownFollowsIfAllDown()
    {
        SetDown("www.gtm.example.test.", "192.0.2.10");
        SetDown("www.gtm.example.test.", "192.0.2.20");
        Assert.That(View().Count(l => l.StartsWith("www.gtm.", StringComparison.Ordinal)), Is.EqualTo(2), "if-all-down=all: fail open");
    }

    [Test]
    public void RebuildingWithASerialServesIt()
    {
        var pipeline = ZonePipeline.BuiltIn(_board);
        var rebuilt = pipeline.Rebuild(_zone.Source!, 2026010105);
        Assert.That(rebuilt.Serial, Is.EqualTo(2026010105u));
        Assert.That(_zone.Serial, Is.EqualTo(2026010101u));
        Assert.That(rebuilt.Pools, Has.Count.EqualTo(2));
    }

    [Test]
    public void OnlyZonesThatMayBeTransferredKeepTheirRecords()
    {
        var pipeline = ZonePipeline.BuiltIn(new HealthBoard());
        pipeline.KeepsRecords = zone => zone.ToString() == "kept.test.";
        Zone Build(string origin) => pipeline.Build(ZoneFileLoader.Parse(ZoneText.Replace("example.test.", origin, StringComparison.Ordinal), origin + "zone", null, pipeline.Vocabulary)).Zone!;
        Assert.That(Build("kept.test.").Source, Is.Not.Null);
        Assert.That(Build("dropped.test.").Source, Is.Null, "its records are garbage once its answers are prepared");
        Assert.Throws<InvalidOperationException>(() => ZoneView.Records(Build("dropped.test."), 1).ToList());
    }
}
