using System.Net;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;

namespace GeoDns.Tests.Health;

/// <summary>Builds the traffic part of a zone file in code, as the parser would.</summary>
internal static class HealthTestZones
{
    public static readonly DnsName Origin = DnsName.Parse("gtm.example.com.");
    private static readonly SourceLocation At = new("gtm.zone", 1, 1);

    public static string PoolName => "www." + Origin;

    public static MemberKey Key(string address) => new(PoolName, address);

    public static ProbeTarget Target(string kind, string address, params (string Key, string Value)[] settings) =>
        new(Key(address), "r", "c", CheckSettings.Parse(KindOf(kind), settings.ToDictionary(s => s.Key, s => s.Value)), address);

    /// <summary>A built-in kind by name, or the test checkers' <c>fake</c> kind.</summary>
    public static CheckKind KindOf(string kind) =>
        TrafficVocabulary.BuiltIn.Checks.TryGet(kind, out var known) ? known : HealthMonitorTests.FakeChecker.Kind;

    /// <summary>A zone with one failover pool <c>www</c> over <paramref name="addresses"/> (regions r1, r2, ...), all checked by <c>$CHECK c kind settings</c>.</summary>
    public static ZoneFile Zone(string kind, IReadOnlyList<string> addresses, params (string Key, string Value)[] settings)
    {
        var check = new CheckDefinition("c", kind, settings.ToDictionary(s => s.Key, s => s.Value), At);
        var members = addresses.Select((a, i) => new MemberDefinition(
            $"r{i + 1}", a, IPAddress.Parse(a).GetAddressBytes(), 1, null, null, true, new Dictionary<string, string>(), At)).ToList();
        var pool = new PoolDefinition(DnsName.Parse("www", Origin), RecordType.A, 30, "failover", null, "c", 1, "all", false,
            members, new Dictionary<string, string>(), At);
        return new ZoneFile
        {
            Origin = Origin,
            Path = "gtm.zone",
            Records = [],
            Checks = [check],
            Pools = [pool],
            Diagnostics = [],
        };
    }

    /// <summary>
    /// Zone file text for a served test: <c>www.<paramref name="origin"/></c> a failover pool
    /// answering one address, 127.0.0.1 (probed on <paramref name="primaryPort"/>) first, else
    /// 127.0.0.2 (probed at 127.0.0.1 on the check's own port), both checked by
    /// <c>$CHECK c <paramref name="check"/></c> (kind and settings).
    /// </summary>
    public static string FailoverZoneText(string origin, string check, int primaryPort) => $"""
        $ORIGIN {origin}
        $TTL 60
        @        SOA    ns1 hostmaster 1 7200 900 1209600 60
        @        NS     ns1
        ns1      A      192.0.2.53
        $REGION  r1  continents=NA
        $REGION  r2  continents=EU
        $CHECK   c  {check}
        www      5  POOL    A  policy=failover max-answers=1 check=c
        www      5  MEMBER  r1  127.0.0.1  port={primaryPort}
        www      5  MEMBER  r2  127.0.0.2  target=127.0.0.1
        """;
}
