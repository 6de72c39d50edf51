using System.Globalization;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Settings;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Core.Health.Checks;

/// <summary>
/// <c>dns</c>: asks the member for <c>name</c>/<c>type</c>; up when the rcode is <c>rcode</c> and,
/// with <c>answer=</c>, the answer section holds that address or name.
/// </summary>
public static class DnsCheck
{
    private static readonly string[] RcodeNames = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

    /// <summary>The answer types whose data the checker reads, so <c>answer=</c> can be compared.</summary>
    private static readonly ushort[] ReadableAnswers = [RecordType.A, RecordType.AAAA, RecordType.CNAME, RecordType.NS, RecordType.PTR, RecordType.DNAME];

    public static readonly Setting<string> Name = Setting.Custom("name", "a domain name", ".",
        (string text, out string value) =>
        {
            value = text;
            return DnsName.TryParse(text, DnsName.Root, out _, out var error) ? null : error;
        });

    public static readonly Setting<ushort> Type = Setting.Custom("type", "a record type a query can ask for (A, AAAA, TXT, TYPE65, ...)",
        RecordType.NS, (string text, out ushort value) =>
        {
            if (!RecordTypes.TryParse(text, out value))
            {
                return "unknown record type";
            }

            return value == 0 || !RecordTypes.IsQueryable(value) ? $"{text} cannot be asked in a query" : null;
        });

    public static readonly Setting<int> Rcode = Setting.Custom("rcode", $"{string.Join(", ", RcodeNames)} or a number up to 4095", 0,
        (string text, out int value) =>
        {
            value = Array.IndexOf(RcodeNames, text.ToUpperInvariant());
            if (value >= 0)
            {
                return null;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= 4095
                ? null : $"{string.Join(", ", RcodeNames)} or a number up to 4095";
        });

    public static readonly Setting<string?> Answer = Setting.Text("answer", "the address or name an answer record must show",
        text => text.Length > 0 ? null : "the text an answer record must show, e.g. answer=192.0.2.1");

    public static readonly CheckKind Kind = new("dns", CheckKind.PortSetting(53), [Name, Type, Rcode, Answer],
        values => values.IsSet(Answer) && !ReadableAnswers.Contains(values.Get(Type))
            ? $"answer= is compared only for {string.Join(", ", ReadableAnswers.Select(RecordTypes.Mnemonic))} answers, not {RecordTypes.Mnemonic(values.Get(Type))}"
            : null);

    /// <summary>The rcode's mnemonic, or its number.</summary>
    public static string RcodeName(int rcode) =>
        rcode >= 0 && rcode < RcodeNames.Length ? RcodeNames[rcode] : rcode.ToString(CultureInfo.InvariantCulture);
}
