using System.Net;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests.Health;

public sealed class ProbePlanTests
{
    private static readonly SourceLocation At = new("gtm.zone", 1, 1);
    private static readonly DnsName Origin = DnsName.Parse("gtm.example.com.");

    private static MemberDefinition Member(string region, string target, byte[] rdata, string? check = null, Dictionary<string, string>? settings = null) =>
        new(region, target, rdata, 1, null, check, true, settings ?? [], At);

    private static PoolDefinition Pool(string owner, ushort type, string? check, params MemberDefinition[] members) =>
        new(DnsName.Parse(owner, Origin), type, 30, "failover", null, check, 1, "all", false, members, new Dictionary<string, string>(), At);

    private static ZoneFile Zone(IReadOnlyList<PoolDefinition> pools, params CheckDefinition[] checks) => new()
    {
        Origin = Origin,
        Path = "gtm.zone",
        Records = [],
        Checks = checks,
        Pools = pools,
        Diagnostics = [],
    };

    private static CheckDefinition Check(string name, string kind, params (string, string)[] settings) =>
        new(name, kind, settings.ToDictionary(s => s.Item1, s => s.Item2), At);

    [Test]
    public void OneTargetPerCheckedMemberKeyedByPoolOwnerAndTargetAsWritten()
    {
        var web = Check("web", "http", ("port", "8080"), ("interval", "200ms"));
        var tcp = Check("tcp22", "tcp", ("port", "22"));
        var zone = Zone(
        [
            Pool("www", RecordType.A, "web",
                Member("us-east", "192.0.2.10", IPAddress.Parse("192.0.2.10").GetAddressBytes()),
                Member("eu-west", "198.51.100.10", IPAddress.Parse("198.51.100.10").GetAddressBytes(), check: "tcp22",
                    settings: new() { ["port"] = "2222" })),
            Pool("api", RecordType.AAAA, null,
                Member("us-east", "2001:db8::1", IPAddress.Parse("2001:db8::1").GetAddressBytes())),
        ], web, tcp);

        var errors = new List<ZoneDiagnostic>();
        var targets = ProbePlan.Build(zone, TrafficVocabulary.BuiltIn.Checks, errors);

        Assert.That(errors, Is.Empty);
        Assert.That(targets, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(targets[0].Key, Is.EqualTo(new MemberKey("www.gtm.example.com.", "192.0.2.10")));
            Assert.That(targets[0].Region, Is.EqualTo("us-east"));
            Assert.That(targets[0].CheckName, Is.EqualTo("web"));
            Assert.That(targets[0].Address, Is.EqualTo("192.0.2.10"));
            Assert.That(targets[0].Settings.Port, Is.EqualTo(8080));
            Assert.That(targets[1].CheckName, Is.EqualTo("tcp22"));
            Assert.That(targets[1].Settings.Kind, Is.EqualTo("tcp"));
            Assert.That(targets[1].Settings.Port, Is.EqualTo(2222));
        });
    }

    [Test]
    public void CnameMembersProbeTheirTargetNameOrTheTargetSetting()
    {
        var web = Check("web", "http");
        var zone = Zone(
        [
            Pool("www", RecordType.CNAME, "web",
                Member("us-east", "us.example.net.", DnsName.Parse("us.example.net.").Wire.ToArray()),
                Member("eu-west", "eu", DnsName.Parse("eu", Origin).Wire.ToArray(), settings: new() { ["target"] = "198.51.100.7" })),
        ], web);

        var targets = ProbePlan.Build(zone, TrafficVocabulary.BuiltIn.Checks, new List<ZoneDiagnostic>());

        Assert.Multiple(() =>
        {
            Assert.That(targets[0].Address, Is.EqualTo("us.example.net."));
            Assert.That(targets[1].Address, Is.EqualTo("198.51.100.7"));
            Assert.That(targets[1].Key.Member, Is.EqualTo("eu"));
        });
    }

    [Test]
    public void BadSettingsAreReportedAndSkipped()
    {
        var zone = Zone(
        [
            Pool("www", RecordType.A, "web",
                Member("us-east", "192.0.2.10", [192, 0, 2, 10], settings: new() { ["interval"] = "10ms" }),
                Member("us-east", "192.0.2.11", [192, 0, 2, 11], check: "missing")),
        ], Check("web", "http"));
        var errors = new List<ZoneDiagnostic>();

        Assert.That(ProbePlan.Build(zone, TrafficVocabulary.BuiltIn.Checks, errors), Is.Empty);
        Assert.That(errors, Has.Count.EqualTo(2));
        Assert.That(errors[0].Message, Does.Contain("check 'web'").And.Contain("interval"));
        Assert.That(errors[1].Message, Does.Contain("'missing'"));
    }
}
