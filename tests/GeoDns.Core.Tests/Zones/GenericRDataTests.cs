using GeoDns.Core.Loading;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests.Zones;

/// <summary>
/// RFC 3597 RDATA of a known type must be valid RDATA of that type (found by the zone fuzz
/// target: a short SOA was an internal error, a bad CNAME/MX/SRV name threw out of the compiler,
/// a 3-octet A was served as it was).
/// </summary>
public class GenericRDataTests
{
    private const string Head = "$ORIGIN a.test.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n";

    [TestCase("@ SOA \\# 0", "SOA")]
    [TestCase("@ SOA \\# 6 00000000003C", "SOA")]
    [TestCase("www CNAME \\# 1 05", "CNAME")]
    [TestCase("www MX \\# 3 000A05", "MX")]
    [TestCase("www SRV \\# 2 0000", "SRV")]
    [TestCase("www A \\# 3 010203", "A")]
    [TestCase("www AAAA \\# 4 20010DB8", "AAAA")]
    [TestCase("www NS \\# 2 C00C", "NS")]
    public void InvalidGenericRDataOfAKnownTypeIsAnError(string line, string type)
    {
        var zone = ZoneFileLoader.Parse(Head + line + "\n", "input.txt", null, TrafficVocabulary.BuiltIn);
        var errors = zone.Diagnostics.Where(d => d.Severity == Core.Zones.Parsing.DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.That(errors, Has.Some.Contains($"is not valid {type} RDATA"));
        Assert.That(errors, Has.None.Contains("internal error"));
    }

    [TestCase("www A \\# 4 C0000201")]
    [TestCase("www CNAME \\# 15 06746172676574 0161 0474657374 00")]
    [TestCase("www MX \\# 3 000A00")]
    [TestCase("@ SOA \\# 22 0000 0000000100000002000000030000000400000005")]
    [TestCase("www TYPE65280 \\# 2 0102")]
    public void ValidGenericRDataLoadsAndServes(string line)
    {
        var file = ZoneFileLoader.Parse(Head.Replace("@ SOA ns h 1 2 3 4 5\n", line.StartsWith('@') ? string.Empty : "@ SOA ns h 1 2 3 4 5\n", StringComparison.Ordinal) + line + "\n",
            "input.txt", null, TrafficVocabulary.BuiltIn);
        Assert.That(file.HasErrors, Is.False, string.Join("\n", file.Diagnostics));
        Assert.That(ZonePipeline.BuiltIn().Build(file).Zone, Is.Not.Null);
    }
}
