using System.Text;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests;

/// <summary>
/// What <see cref="QueryProcessor"/> reports about each query (zone, type, RCODE, truncation,
/// traffic decision) for the host's counters, and the NSID option (RFC 5001); both without
/// allocating.
/// </summary>
public sealed class QueryOutcomeTests
{
    private static readonly string HugeText = string.Join(' ', Enumerable.Range(0, 3).Select(i => "\"" + new string((char)('k' + i), 250) + "\""));

    private static readonly string ZoneText = $"""
        $ORIGIN example.test.
        $TTL 300
        @     SOA ns1 hostmaster 7 3600 900 604800 120
        @     NS  ns1
        ns1   A   192.0.2.53
        www   A   192.0.2.1
        huge  TXT {HugeText}
        $REGION east cidrs=198.51.100.0/24
        $REGION west cidrs=203.0.113.0/24
        gtm   30 POOL   A policy=geo fallback=failover
        gtm   30 MEMBER east 192.0.2.10
        gtm   30 MEMBER west 192.0.2.20
        """;

    private static readonly byte[] Nsid = Encoding.ASCII.GetBytes("geodns-a");

    private HealthBoard _board = null!;
    private QueryProcessor _processor = null!;

    [SetUp]
    public void SetUp()
    {
        var file = ZoneFileLoader.Parse(ZoneText, "example.test.zone", null, TrafficVocabulary.BuiltIn);
        Assert.That(file.HasErrors, Is.False, string.Join("\n", file.Diagnostics));
        _board = new HealthBoard();
        var zone = ZonePipeline.BuildZone(file, new TrafficCompiler(_board, TrafficVocabulary.BuiltIn.Policies));
        _processor = new QueryProcessor(new Snapshot([zone])) { Nsid = Nsid };
    }

    /// <summary>A query; <paramref name="subnet"/> adds an ECS option (a /24 of that address), <paramref name="nsid"/> an empty NSID option.</summary>
    private static byte[] Query(string name, ushort type, bool edns = false, bool nsid = false, string? subnet = null, byte version = 0)
    {
        var bytes = new List<byte> { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, (byte)(edns || nsid || subnet is not null ? 1 : 0) };
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        if (edns || nsid || subnet is not null)
        {
            var options = new List<byte>();
            if (subnet is not null)
            {
                var address = System.Net.IPAddress.Parse(subnet).GetAddressBytes();
                options.AddRange([0, 8, 0, 7, 0, 1, 24, 0, address[0], address[1], address[2]]);
            }

            if (nsid)
            {
                options.AddRange([0, 3, 0, 0]);
            }

            bytes.AddRange([0, 0, 41, 4, 0xD0, 0, version, 0, 0, (byte)(options.Count >> 8), (byte)options.Count]);
            bytes.AddRange(options);
        }

        return [.. bytes];
    }

    private (QueryOutcome Outcome, byte[] Reply) Ask(byte[] query, bool overTcp = false)
    {
        var response = new byte[DnsWire.MaxMessageLength];
        int length = _processor.Process(query, response, ClientAddress.FromIPv4(0x7F000001), overTcp, out var outcome);
        return (outcome, response[..length]);
    }

    [Test]
    public void AnAnswerReportsItsZoneTypeAndRcode()
    {
        var (outcome, _) = Ask(Query("www.example.test", RecordType.A));
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Zone?.Apex.ToString(), Is.EqualTo("example.test."));
            Assert.That(outcome.QType, Is.EqualTo(RecordType.A));
            Assert.That(outcome.ResponseCode, Is.EqualTo(ResponseCode.NoError));
            Assert.That(outcome.Truncated, Is.False);
            Assert.That(outcome.Pool, Is.Null);
            Assert.That(outcome.SentNsid, Is.False, "no NSID option asked");
        });
    }

    [Test]
    public void ErrorsReportTheirRcode()
    {
        Assert.Multiple(() =>
        {
            var nx = Ask(Query("nothing.example.test", RecordType.AAAA)).Outcome;
            Assert.That((nx.ResponseCode, nx.QType, nx.Zone?.Apex.ToString()), Is.EqualTo((ResponseCode.NxDomain, RecordType.AAAA, "example.test.")));

            var refused = Ask(Query("www.example.org", RecordType.A)).Outcome;
            Assert.That((refused.ResponseCode, refused.Zone), Is.EqualTo((ResponseCode.Refused, (Zone?)null)));

            var badVers = Ask(Query("www.example.test", RecordType.A, edns: true, version: 1)).Outcome;
            Assert.That(badVers.ResponseCode, Is.EqualTo(ResponseCode.BadVers));

            var noQuestion = Ask([0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).Outcome;
            Assert.That((noQuestion.ResponseCode, noQuestion.QType), Is.EqualTo((ResponseCode.FormErr, (ushort)0)));

            var dropped = Ask([0x12, 0x34, 0x80]).Outcome;
            Assert.That(dropped.ResponseCode, Is.EqualTo(-1), "nothing sent");
        });
    }

    [Test]
    public void TruncationIsReported()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ask(Query("huge.example.test", RecordType.TXT)).Outcome.Truncated, Is.True, "over 512 octets without EDNS");
            Assert.That(Ask(Query("huge.example.test", RecordType.TXT), overTcp: true).Outcome.Truncated, Is.False);
        });
    }

    [Test]
    public void TrafficDecisionsReportPoolRegionAndReason()
    {
        string Decision(byte[] query)
        {
            var outcome = Ask(query).Outcome;
            var pool = outcome.Pool;
            return pool is null ? "none"
                : $"{pool.Name} {(outcome.Region < 0 ? "-" : pool.Regions[outcome.Region].Name)} {DecisionReasons.Name(outcome.Reason)}";
        }

        Assert.That(Decision(Query("gtm.example.test", RecordType.A, subnet: "203.0.113.7")), Is.EqualTo("gtm.example.test. west geo_match"));
        Assert.That(Decision(Query("gtm.example.test", RecordType.A, subnet: "192.0.2.99")), Is.EqualTo("gtm.example.test. east fallback"));

        var east = _board.Members.Single(m => m.Key.Member == "192.0.2.10");
        var west = _board.Members.Single(m => m.Key.Member == "192.0.2.20");
        east.SetOverride(MemberOverride.ForceDown);
        Assert.That(Decision(Query("gtm.example.test", RecordType.A, subnet: "198.51.100.1")), Is.EqualTo("gtm.example.test. west override"));
        east.SetOverride(MemberOverride.Auto);

        _board.Pool("gtm.example.test.").PinnedRegion = "east";
        Assert.That(Decision(Query("gtm.example.test", RecordType.A, subnet: "203.0.113.7")), Is.EqualTo("gtm.example.test. east pin"));
        _board.Pool("gtm.example.test.").PinnedRegion = null;

        east.SetShared(HealthStatus.Down, DateTimeOffset.UnixEpoch);
        west.SetShared(HealthStatus.Down, DateTimeOffset.UnixEpoch);
        Assert.That(Decision(Query("gtm.example.test", RecordType.A, subnet: "203.0.113.7")), Does.EndWith(" all_down"));

        Assert.That(Decision(Query("www.example.test", RecordType.A)), Is.EqualTo("none"));
    }

    [Test]
    public void NsidIsSentOnlyWhenAsked()
    {
        var (outcome, reply) = Ask(Query("www.example.test", RecordType.A, nsid: true));
        byte[] option = [0, 3, 0, (byte)Nsid.Length, .. Nsid];
        Assert.Multiple(() =>
        {
            Assert.That(outcome.SentNsid, Is.True);
            Assert.That(reply[^option.Length..], Is.EqualTo(option), "the NSID option closes the OPT record");
            Assert.That(DnsWire.ReadUInt16(reply, reply.Length - option.Length - 2), Is.EqualTo(option.Length), "OPT RDLENGTH");
            Assert.That(Ask(Query("www.example.test", RecordType.A, edns: true)).Reply, Has.Length.EqualTo(reply.Length - option.Length));
        });
    }

    [Test]
    public void NsidFollowsClientSubnetAndErrors()
    {
        var (_, reply) = Ask(Query("gtm.example.test", RecordType.A, nsid: true, subnet: "203.0.113.7"));
        Assert.That(reply[^(4 + Nsid.Length)..][4..], Is.EqualTo(Nsid));
        var (refused, refusedReply) = Ask(Query("www.example.org", RecordType.A, nsid: true));
        Assert.That(refused.SentNsid, Is.True);
        Assert.That(refusedReply[^Nsid.Length..], Is.EqualTo(Nsid), "REFUSED carries it too");
    }

    [Test]
    public void WithoutAnNsidNothingIsSent()
    {
        var processor = new QueryProcessor(_processor.Snapshot);
        var response = new byte[DnsWire.MaxMessageLength];
        int withOption = processor.Process(Query("www.example.test", RecordType.A, nsid: true), response, ClientAddress.FromIPv4(1), false, out var outcome);
        int without = processor.Process(Query("www.example.test", RecordType.A, edns: true), response, ClientAddress.FromIPv4(1), false);
        Assert.That((withOption, outcome.SentNsid), Is.EqualTo((without, false)), "the same reply as without the option");
        Assert.Throws<ArgumentException>(() => _ = new QueryProcessor(Snapshot.Empty) { Nsid = new byte[DnsWire.MaxNsidLength + 1] });
    }

    [Test]
    public void OutcomesAndNsidAllocateNothing()
    {
        byte[][] queries =
        [
            Query("www.example.test", RecordType.A, nsid: true),
            Query("gtm.example.test", RecordType.A, nsid: true, subnet: "203.0.113.7"),
            Query("gtm.example.test", RecordType.A, subnet: "192.0.2.1"),
            Query("nothing.example.test", RecordType.A, nsid: true),
            Query("www.example.org", RecordType.A, nsid: true),
            Query("huge.example.test", RecordType.TXT),
        ];
        var response = new byte[DnsWire.MaxMessageLength];
        var client = ClientAddress.FromIPv4(0x7F000001);
        long sum = 0;
        for (int i = 0; i < 1000; i++)
        {
            _processor.Process(queries[i % queries.Length], response, client, false, out var warm);
            sum += warm.ResponseCode;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            _processor.Process(queries[i % queries.Length], response, client, false, out var outcome);
            sum += outcome.ResponseCode + outcome.Region;
        }

        long perQuery = (GC.GetAllocatedBytesForCurrentThread() - before) / 10_000;
        Assert.That(sum, Is.Not.Zero);
        Assert.That(perQuery, Is.EqualTo(0), "bytes allocated per query");
    }
}
