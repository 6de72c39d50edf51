using GeoDns.Core.Dns;
using GeoDns.Core.Loading;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests.Zones;

/// <summary>Builds zones from text and asserts on their diagnostics.</summary>
internal static class ZoneTestHelper
{
    public const string FileName = "example.com.zone";

    /// <summary>Five lines: $ORIGIN, $TTL 3600, SOA, NS ns1, ns1 A. Test bodies start on line 6.</summary>
    public const string Header =
        "$ORIGIN example.com.\n" +
        "$TTL 3600\n" +
        "@ SOA ns1 hostmaster 1 7200 900 1209600 60\n" +
        "@ NS ns1\n" +
        "ns1 A 192.0.2.53\n";

    public static ZoneFile Parse(string text, Dictionary<string, string>? includes = null, DnsName? origin = null, string file = FileName) =>
        ZoneFileLoader.Parse(text, file, origin, TrafficVocabulary.BuiltIn, includes is null ? null : p => includes.GetValueOrDefault(p));

    public static ZoneFile WithHeader(string body, Dictionary<string, string>? includes = null) => Parse(Header + body, includes);

    public static DnsName N(string name) => DnsName.Parse(name);

    public static void AssertClean(ZoneFile zone) =>
        Assert.That(zone.Diagnostics, Is.Empty, () => Dump(zone));

    public static void AssertNoErrors(ZoneFile zone) =>
        Assert.That(zone.HasErrors, Is.False, () => Dump(zone));

    /// <summary>Asserts an error at <paramref name="where"/> ("file:line:column") whose text contains <paramref name="fragment"/>.</summary>
    public static void AssertError(ZoneFile zone, string where, string fragment) =>
        AssertDiagnostic(zone, DiagnosticSeverity.Error, where, fragment);

    public static void AssertWarning(ZoneFile zone, string where, string fragment) =>
        AssertDiagnostic(zone, DiagnosticSeverity.Warning, where, fragment);

    public static void AssertDiagnostic(ZoneFile zone, DiagnosticSeverity severity, string where, string fragment)
    {
        string kind = severity == DiagnosticSeverity.Error ? "error" : "warning";
        bool found = zone.Diagnostics.Any(d =>
            d.ToString().StartsWith($"{where}: {kind}: ", StringComparison.Ordinal) &&
            d.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase));
        Assert.That(found, Is.True, () => $"expected {kind} at {where} containing '{fragment}'; got:\n{Dump(zone)}");
    }

    public static string Dump(ZoneFile zone) => string.Join("\n", zone.Diagnostics);

    public static IEnumerable<ResourceRecord> At(ZoneFile zone, string owner, ushort type) =>
        zone.Records.Select(e => e.Record).Where(r => r.Owner == N(owner) && r.Type == type);

    /// <summary>The RDATA of a single record "x &lt;type&gt; &lt;rdata&gt;" in an otherwise valid zone.</summary>
    public static byte[] RData(string type, string rdata)
    {
        var zone = WithHeader($"x {type} {rdata}\n");
        AssertNoErrors(zone);
        var record = zone.Records.Single(e => e.Record.Owner == N("x.example.com.")).Record;
        return record.RData;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>Wire form of a name.</summary>
    public static string W(string name) => Convert.ToHexString(N(name).Wire);
}
