using GeoDns.Core.Zones;
using GeoDns.Core.Zones.Parsing;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

/// <summary>
/// Every traffic line ($REGION, $CHECK, POOL, MEMBER) reports each of its bad settings, each at
/// its own column, not only the first one.
/// </summary>
public sealed class TrafficSyntaxEveryErrorTests
{
    private const string Declarations = "$REGION r1 continents=EU\n$CHECK web http\n";

    [Test]
    public void RegionReportsEveryBadValue()
    {
        const string line = "$REGION r2 continents=XX countries=SWE cidrs=10.0.0.1/8 lat=91 lon=0";
        var zone = WithHeader(Declarations + line + "\n");

        AssertErrorsAt(zone, line, 8,
            ("XX", "unknown continent 'XX'"),
            ("SWE", "bad country 'SWE'"),
            ("10.0.0.1/8", "bad CIDR '10.0.0.1/8'"),
            ("91", "bad latitude '91'"));
    }

    [Test]
    public void RegionReportsBadKeysAndMalformedSettingsToo()
    {
        const string line = "$REGION r2 colour=red asns=ASX continents asns=1";
        var zone = WithHeader(Declarations + line + "\n");

        AssertErrorsAt(zone, line, 8,
            ("colour", "unknown $REGION key 'colour'"),
            ("ASX", "bad ASN 'ASX'"),
            ("continents", "expected key=value"),
            ("asns=1", "key 'asns' given twice"));
    }

    [Test]
    public void PoolReportsEveryBadValue()
    {
        const string line = "p POOL A policy=random max-answers=0 if-all-down=panic sticky=cookie";
        var zone = WithHeader(Declarations + line + "\np MEMBER r1 192.0.2.1\n");

        AssertErrorsAt(zone, line, 8,
            ("random", "unknown policy 'random'"),
            ("0", "bad max-answers '0'"),
            ("panic", "bad if-all-down 'panic'"),
            ("cookie", "bad sticky 'cookie'"));
    }

    [Test]
    public void PoolReportsBadKeysAfterABadValue()
    {
        const string line = "p POOL A check=nope colour=1 fallback=geo2 max-answers=99";
        var zone = WithHeader(Declarations + line + "\np MEMBER r1 192.0.2.1\n");

        AssertErrorsAt(zone, line, 8,
            ("nope", "unknown check 'nope'"),
            ("colour", "unknown POOL key 'colour'"),
            ("geo2", "unknown fallback 'geo2'"),
            ("99", "bad max-answers '99'"));
    }

    [Test]
    public void CheckReportsEveryBadValue()
    {
        const string line = "$CHECK c http port=0 path=x expect=99 rise=0";
        var zone = WithHeader(Declarations + line + "\n");

        AssertErrorsAt(zone, line, 8,
            ("0", "bad port"),
            ("x", "must start with '/'"),
            ("99", "bad expect"),
            ("0", "bad rise"));
    }

    [Test]
    public void MemberReportsEveryBadValue()
    {
        const string line = "p MEMBER r1 192.0.2.2 weight=-1 priority=x enabled=no rise=0";
        var zone = WithHeader(Declarations + "p POOL A check=web\np MEMBER r1 192.0.2.1\n" + line + "\n");

        AssertErrorsAt(zone, line, 10,
            ("-1", "bad weight"),
            ("x", "bad priority"),
            ("no", "true or false"),
            ("0", "bad rise"));
    }

    /// <summary>
    /// Exactly these errors on <paramref name="lineNumber"/>, each at the column where its
    /// <c>At</c> text is found in <paramref name="line"/> (searched from left to right, after the previous one).
    /// </summary>
    private static void AssertErrorsAt(ZoneFile zone, string line, int lineNumber, params (string At, string Message)[] expected)
    {
        var errors = zone.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors.Select(e => e.Location.Line), Is.All.EqualTo(lineNumber), Dump(zone));
        Assert.That(errors, Has.Count.EqualTo(expected.Length), Dump(zone));
        int from = 0;
        foreach (var (at, message) in expected)
        {
            int index = line.IndexOf(at, from, StringComparison.Ordinal);
            Assert.That(index, Is.GreaterThanOrEqualTo(0), $"'{at}' is not in the line after column {from + 1}");
            AssertError(zone, $"{FileName}:{lineNumber}:{index + 1}", message);
            from = index + at.Length;
        }

        Assert.That(errors.Select(e => e.Location.Column), Is.Unique, Dump(zone));
    }
}
