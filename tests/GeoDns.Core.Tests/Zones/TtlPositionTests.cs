using GeoDns.Core.Zones.Parsing;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

/// <summary>A number in the TTL position, negative or malformed, is a bad TTL, not an unknown record type.</summary>
public sealed class TtlPositionTests
{
    [TestCase("b -5 A 192.0.2.1", "example.com.zone:6:3", "bad TTL '-5'")]
    [TestCase("b IN -5 A 192.0.2.1", "example.com.zone:6:6", "bad TTL '-5'")]
    [TestCase("b -1h A 192.0.2.1", "example.com.zone:6:3", "bad TTL '-1h'")]
    [TestCase("b 5x A 192.0.2.1", "example.com.zone:6:3", "bad TTL '5x'")]
    public void NumberInTheTtlPositionIsABadTtl(string line, string where, string fragment)
    {
        var zone = WithHeader(line + "\n");
        AssertError(zone, where, fragment);
        Assert.That(zone.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error), Is.EqualTo(1), Dump(zone));
        Assert.That(Dump(zone), Does.Not.Contain("unknown record type"));
    }

    [Test]
    public void NegativeTtlBeforeAPoolIsABadTtlToo()
    {
        var zone = WithHeader("$REGION r1 continents=EU\np -30 POOL A\np MEMBER r1 192.0.2.1\n");
        AssertError(zone, "example.com.zone:7:3", "bad TTL '-30'");
    }

    [Test]
    public void ADashWordIsStillAnUnknownType()
    {
        var zone = WithHeader("b -x A 192.0.2.1\n");
        AssertError(zone, "example.com.zone:6:3", "unknown record type '-x'");
    }
}
