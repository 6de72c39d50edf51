using System.Globalization;
using System.Text;
using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones.RData;

/// <summary>
/// The one table of RR types (IANA "Resource Record (RR) TYPEs"): for each known type its code,
/// mnemonic, RDATA text codec, the names inside its RDATA that answers treat as names, and its
/// flags. The zone parser, the RDATA formatter, the answer encoder and the zone compiler read
/// their per-type facts here. Adding a record type is adding its entry (and its codec methods).
/// Unknown types print as RFC 3597 <c>TYPEnnn</c>, and <c>TYPEnnn</c> parses for any type.
/// </summary>
public static class RecordTypes
{
    // Sorted by code. Codec examples are in the formatter's canonical form when the type has one.
    private static readonly RecordTypeInfo[] Entries =
    [
        new(RecordType.A, "A", new(BasicRData.A, RDataFormatter.A, "192.0.2.1")),
        new(RecordType.NS, "NS",
            new(static (r, b) => BasicRData.SingleName(r, b, "NS target"), RDataFormatter.SingleName, "ns1.example.net."),
            Compressed(0), RecordTypeFlags.TargetAddresses),
        new(3, "MD", SingleNameParseOnly("host.example.net.")),
        new(4, "MF", SingleNameParseOnly("host.example.net.")),
        new(RecordType.CNAME, "CNAME",
            new(static (r, b) => BasicRData.SingleName(r, b, "CNAME target"), RDataFormatter.SingleName, "www.example.net."),
            Compressed(0)),
        new(RecordType.SOA, "SOA",
            new(BasicRData.Soa, RDataFormatter.Soa, "ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 60"),
            Compressed(0, count: 2)),
        new(7, "MB", SingleNameParseOnly("host.example.net.")),
        new(8, "MG", SingleNameParseOnly("mailbox.example.net.")),
        new(9, "MR", SingleNameParseOnly("mailbox.example.net.")),
        new(10, "NULL"),
        new(11, "WKS"),
        new(RecordType.PTR, "PTR",
            new(static (r, b) => BasicRData.SingleName(r, b, "PTR target"), RDataFormatter.SingleName, "host.example.net."),
            Compressed(0)),
        new(RecordType.HINFO, "HINFO", new(TextRData.Hinfo, RDataFormatter.CharacterStrings, "\"PC\" \"Linux\"")),
        new(14, "MINFO", TwoNamesParseOnly("admin.example.net. errors.example.net.")),
        new(RecordType.MX, "MX",
            new(static (r, b) => BasicRData.PreferenceName(r, b, "MX exchange"), RDataFormatter.PreferenceName, "10 mail.example.net."),
            Compressed(2), RecordTypeFlags.TargetAddresses),
        new(RecordType.TXT, "TXT", new(TextRData.Txt, RDataFormatter.CharacterStrings, "\"v=spf1 -all\" \"a \\\"quoted\\\" word\"")),
        new(17, "RP", TwoNamesParseOnly("admin.example.net. info.example.net.")),
        new(18, "AFSDB", PreferenceNameParseOnly("1 afsdb.example.net.")),
        new(19, "X25"),
        new(20, "ISDN"),
        new(21, "RT", PreferenceNameParseOnly("10 relay.example.net.")),
        new(22, "NSAP"),
        new(24, "SIG"),
        new(25, "KEY"),
        new(26, "PX"),
        new(27, "GPOS"),
        new(RecordType.AAAA, "AAAA", new(BasicRData.Aaaa, RDataFormatter.Aaaa, "2001:db8::1")),
        new(29, "LOC"),
        new(30, "NXT"),
        new(RecordType.SRV, "SRV", new(BasicRData.Srv, RDataFormatter.Srv, "0 5 5060 sip.example.net."),
            NeverCompressed(6), RecordTypeFlags.TargetAddresses),
        new(RecordType.NAPTR, "NAPTR",
            new(TextRData.Naptr, null, "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.net.")),
        new(36, "KX", PreferenceNameParseOnly("10 kx.example.net.")),
        new(37, "CERT"),
        new(38, "A6"),
        new(RecordType.DNAME, "DNAME",
            new(static (r, b) => BasicRData.SingleName(r, b, "DNAME target"), RDataFormatter.SingleName, "example.org."),
            NeverCompressed(0)),
        new(40, "SINK"),
        new(RecordType.OPT, "OPT", flags: RecordTypeFlags.Meta),
        new(42, "APL"),
        new(RecordType.DS, "DS", new(KeyRData.Ds, RDataFormatter.Ds, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118")),
        new(RecordType.SSHFP, "SSHFP", new(KeyRData.Sshfp, RDataFormatter.Sshfp, "1 1 DD465C09CFA51FB45020CC83316FFF21B9EC74AC")),
        new(45, "IPSECKEY"),
        new(RecordType.RRSIG, "RRSIG"),
        new(RecordType.NSEC, "NSEC"),
        new(RecordType.DNSKEY, "DNSKEY", new(KeyRData.Dnskey, RDataFormatter.Dnskey, "256 3 13 AQIDBAU=")),
        new(49, "DHCID"),
        new(RecordType.NSEC3, "NSEC3"),
        new(51, "NSEC3PARAM"),
        new(RecordType.TLSA, "TLSA", new(KeyRData.Tlsa, RDataFormatter.Tlsa, "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6")),
        new(53, "SMIMEA", new(KeyRData.Tlsa, null, "3 1 1 0C72AC70B745AC19998811B131D662C9")),
        new(55, "HIP"),
        new(59, "CDS", new(KeyRData.Ds, RDataFormatter.Ds, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118")),
        new(60, "CDNSKEY", new(KeyRData.Dnskey, RDataFormatter.Dnskey, "257 3 13 AQIDBAU=")),
        new(61, "OPENPGPKEY"),
        new(62, "CSYNC"),
        new(63, "ZONEMD"),
        new(RecordType.SVCB, "SVCB", new(static (r, b) => SvcbRData.Parse(r, b, "SVCB"), null, "1 svc.example.net. alpn=h2 port=8443")),
        new(RecordType.HTTPS, "HTTPS", new(static (r, b) => SvcbRData.Parse(r, b, "HTTPS"), null, "1 . alpn=h2")),
        new(99, "SPF", new(TextRData.Txt, RDataFormatter.CharacterStrings, "\"v=spf1 -all\"")),
        new(104, "NID"),
        new(105, "L32"),
        new(106, "L64"),
        new(107, "LP"),
        new(108, "EUI48"),
        new(109, "EUI64"),
        new(249, "TKEY", flags: RecordTypeFlags.Meta),
        new(250, "TSIG", flags: RecordTypeFlags.Meta),
        new(RecordType.IXFR, "IXFR", flags: RecordTypeFlags.Meta),
        new(RecordType.AXFR, "AXFR", flags: RecordTypeFlags.Meta),
        new(253, "MAILB", flags: RecordTypeFlags.Meta),
        new(254, "MAILA", flags: RecordTypeFlags.Meta),
        new(RecordType.ANY, "ANY", flags: RecordTypeFlags.Meta),
        new(256, "URI"),
        new(RecordType.CAA, "CAA", new(TextRData.Caa, RDataFormatter.Caa, "0 issue \"ca.example.net\"")),
        new(258, "AVC"),
        new(259, "DOA"),
        new(260, "AMTRELAY"),
        new(32768, "TA", new(KeyRData.Ds, null, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118")),
        new(32769, "DLV", new(KeyRData.Ds, null, "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118")),
    ];

    // Codes below PrivateUseBase index Low, the rest High: two array reads, no hashing.
    private const int PrivateUseBase = 32768;
    private static readonly RecordTypeInfo?[] Low = ByCode(e => e.Code < PrivateUseBase, 0);
    private static readonly RecordTypeInfo?[] High = ByCode(e => e.Code >= PrivateUseBase, PrivateUseBase);

    private static readonly Dictionary<string, RecordTypeInfo>.AlternateLookup<ReadOnlySpan<char>> ByName = BuildByName();

    /// <summary>Every known type, by code.</summary>
    public static IReadOnlyList<RecordTypeInfo> All => Entries;

    /// <summary>The entry of a type, or null for a type without one (printed and parsed as <c>TYPEnnn</c>).</summary>
    public static RecordTypeInfo? Find(ushort type)
    {
        if (type < Low.Length)
        {
            return Low[type];
        }

        uint high = (uint)(type - PrivateUseBase);
        return high < (uint)High.Length ? High[high] : null;
    }

    /// <summary>Mnemonic (case-insensitive) or <c>TYPEnnn</c> to the type value.</summary>
    public static bool TryParse(string text, out ushort type) => TryParse(text.AsSpan(), out type);

    /// <inheritdoc cref="TryParse(string, out ushort)"/>
    public static bool TryParse(ReadOnlySpan<char> text, out ushort type)
    {
        if (text.Length == 1 && (text[0] | 0x20) == 'a')
        {
            type = RecordType.A; // most records of big zones: skip the hashing
            return true;
        }

        if (ByName.TryGetValue(text, out var entry))
        {
            type = entry.Code;
            return true;
        }

        return TryParseNumbered(text, "TYPE", out type);
    }

    /// <summary>The mnemonic of a type, or <c>TYPEnnn</c> when it has none.</summary>
    public static string Mnemonic(ushort type) =>
        Find(type)?.Mnemonic ?? "TYPE" + type.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Meta and question-only types (RFC 6895 3.1): OPT, TKEY, TSIG, IXFR, AXFR, MAILB, MAILA,
    /// ANY, and the unassigned rest of 128-255. They are never zone data.
    /// </summary>
    public static bool IsMeta(ushort type) => Find(type) is { } entry ? entry.IsMeta : type is >= 128 and <= 255;

    /// <summary>True for a data type, one a query (a DNS health check's, say) can ask for and a zone can hold.</summary>
    public static bool IsQueryable(ushort type) => !IsMeta(type);

    /// <summary>The names in the RDATA of <paramref name="type"/> that answers treat as names (none for unknown types).</summary>
    public static RDataNames NamesIn(ushort type) => Find(type)?.Names ?? default;

    /// <summary><c>PREFIXnnn</c> (case-insensitive prefix, 1-5 digits) to its 16-bit value.</summary>
    internal static bool TryParseNumbered(ReadOnlySpan<char> name, string prefix, out ushort value)
    {
        value = 0;
        if (name.Length <= prefix.Length || name.Length > prefix.Length + 5 ||
            !name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var digits = name[prefix.Length..];
        foreach (char d in digits)
        {
            if (!char.IsAsciiDigit(d))
            {
                return false;
            }
        }

        return ushort.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>RFC 1035 types whose names the encoder compresses (RFC 3597 4 allows it for these alone).</summary>
    private static RDataNames Compressed(int offset, int count = 1) => new(offset, count, Compressed: true);

    /// <summary>A name that is never compressed (RFC 3597 4: every type not defined in RFC 1035).</summary>
    private static RDataNames NeverCompressed(int offset) => new(offset, 1, Compressed: false);

    private static RDataCodec SingleNameParseOnly(string example) =>
        new(static (r, b) => BasicRData.SingleName(r, b, "target"), null, example);

    private static RDataCodec PreferenceNameParseOnly(string example) =>
        new(static (r, b) => BasicRData.PreferenceName(r, b, "target"), null, example);

    private static RDataCodec TwoNamesParseOnly(string example) =>
        new(static (r, b) => BasicRData.TwoNames(r, b, "mailbox", "second name"), null, example);

    private static RecordTypeInfo?[] ByCode(Func<RecordTypeInfo, bool> which, int first)
    {
        var entries = Entries.Where(which).ToList();
        var table = new RecordTypeInfo?[entries.Count == 0 ? 0 : entries.Max(e => e.Code) - first + 1];
        foreach (var entry in entries)
        {
            if (table[entry.Code - first] is not null)
            {
                throw new InvalidOperationException($"record type {entry.Code} has two entries");
            }

            table[entry.Code - first] = entry;
        }

        return table;
    }

    private static Dictionary<string, RecordTypeInfo>.AlternateLookup<ReadOnlySpan<char>> BuildByName()
    {
        var map = new Dictionary<string, RecordTypeInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Entries)
        {
            if (!map.TryAdd(entry.Mnemonic, entry))
            {
                throw new InvalidOperationException($"record type mnemonic {entry.Mnemonic} has two entries");
            }
        }

        return map.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}

/// <summary>Per-type flags of a <see cref="RecordTypeInfo"/>.</summary>
[Flags]
public enum RecordTypeFlags
{
    None = 0,

    /// <summary>Meta or question-only (RFC 6895 3.1): never zone data, never asked by a health check.</summary>
    Meta = 1,

    /// <summary>
    /// Answers carry the in-zone A/AAAA of the name at <see cref="RDataNames.Offset"/> in the
    /// additional section (RFC 1035 3.3.9 and 3.3.11, RFC 2782), and referrals carry glue.
    /// </summary>
    TargetAddresses = 2,
}

/// <summary>
/// The domain names inside a type's RDATA that answers treat as names: <see cref="Count"/>
/// consecutive names starting <see cref="Offset"/> octets into the RDATA (after fixed-length
/// fields). <see cref="Compressed"/> names are compressed against the message; the others are
/// copied as they are. The message offset of a type's single name is kept for CNAME chains.
/// RDATA of every other type is copied as it is, names included: the obsolete RFC 1035 mail
/// types (MD, MF, MB, MG, MR, MINFO) and types defined later, such as RP, AFSDB, RT, KX and
/// NAPTR (RFC 3597 4 forbids compressing those).
/// </summary>
public readonly record struct RDataNames(int Offset, int Count, bool Compressed)
{
    /// <summary>True when the RDATA holds names the encoder handles.</summary>
    public bool Any => Count > 0;
}

/// <summary>One entry of <see cref="RecordTypes"/>.</summary>
public sealed class RecordTypeInfo
{
    internal RecordTypeInfo(ushort code, string mnemonic, RDataCodec? codec = null, RDataNames names = default,
        RecordTypeFlags flags = RecordTypeFlags.None)
    {
        Code = code;
        Mnemonic = mnemonic;
        Codec = codec;
        Names = names;
        Flags = flags;
    }

    public ushort Code { get; }

    public string Mnemonic { get; }

    /// <summary>Names inside the RDATA (see <see cref="RDataNames"/>); none for most types.</summary>
    public RDataNames Names { get; }

    public RecordTypeFlags Flags { get; }

    public bool IsMeta => (Flags & RecordTypeFlags.Meta) != 0;

    public bool AddsTargetAddresses => (Flags & RecordTypeFlags.TargetAddresses) != 0;

    /// <summary>True when zone files may write the RDATA in the type's own presentation format (all types take RFC 3597 <c>\#</c>).</summary>
    public bool HasParser => Codec is not null;

    /// <summary>True when <see cref="RDataFormatter"/> prints the RDATA in the type's own presentation format rather than <c>\#</c>.</summary>
    public bool HasFormatter => Codec?.Format is not null;

    /// <summary>A presentation-format example of the RDATA, for types with a parser.</summary>
    public string? Example => Codec?.Example;

    /// <summary>The RDATA text codec; null when the type is written and printed in RFC 3597 generic form only.</summary>
    internal RDataCodec? Codec { get; }

    public override string ToString() => Mnemonic;
}

/// <summary>Parses RDATA presentation tokens into wire bytes; reports one error and returns false on bad input.</summary>
internal delegate bool RDataTextParser(EntryReader r, RDataBuilder b);

/// <summary>Appends the presentation form of wire RDATA; returns false when the RDATA is malformed.</summary>
internal delegate bool RDataTextFormatter(ReadOnlySpan<byte> rdata, StringBuilder text);

/// <summary>
/// A type's RDATA text codec. <see cref="Format"/> is null when RDATA of the type prints in RFC
/// 3597 generic form although zone files may write it in its own form.
/// </summary>
internal sealed record RDataCodec(RDataTextParser Parse, RDataTextFormatter? Format, string Example);
