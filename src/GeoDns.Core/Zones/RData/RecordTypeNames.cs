using System.Globalization;

namespace GeoDns.Core.Zones.RData;

/// <summary>
/// The one table of RR type mnemonics (IANA "Resource Record (RR) TYPEs"), both ways.
/// Unknown types print as RFC 3597 <c>TYPEnnn</c>, and <c>TYPEnnn</c> parses for any type.
/// </summary>
public static class RecordTypeNames
{
    private static readonly (string Name, ushort Type)[] Table =
    [
        ("A", 1), ("NS", 2), ("MD", 3), ("MF", 4), ("CNAME", 5), ("SOA", 6), ("MB", 7), ("MG", 8),
        ("MR", 9), ("NULL", 10), ("WKS", 11), ("PTR", 12), ("HINFO", 13), ("MINFO", 14), ("MX", 15),
        ("TXT", 16), ("RP", 17), ("AFSDB", 18), ("X25", 19), ("ISDN", 20), ("RT", 21), ("NSAP", 22),
        ("SIG", 24), ("KEY", 25), ("PX", 26), ("GPOS", 27), ("AAAA", 28), ("LOC", 29), ("NXT", 30),
        ("SRV", 33), ("NAPTR", 35), ("KX", 36), ("CERT", 37), ("A6", 38), ("DNAME", 39), ("SINK", 40),
        ("OPT", 41), ("APL", 42), ("DS", 43), ("SSHFP", 44), ("IPSECKEY", 45), ("RRSIG", 46),
        ("NSEC", 47), ("DNSKEY", 48), ("DHCID", 49), ("NSEC3", 50), ("NSEC3PARAM", 51), ("TLSA", 52),
        ("SMIMEA", 53), ("HIP", 55), ("CDS", 59), ("CDNSKEY", 60), ("OPENPGPKEY", 61), ("CSYNC", 62),
        ("ZONEMD", 63), ("SVCB", 64), ("HTTPS", 65), ("SPF", 99), ("NID", 104), ("L32", 105),
        ("L64", 106), ("LP", 107), ("EUI48", 108), ("EUI64", 109), ("TKEY", 249), ("TSIG", 250),
        ("IXFR", 251), ("AXFR", 252), ("MAILB", 253), ("MAILA", 254), ("ANY", 255), ("URI", 256),
        ("CAA", 257), ("AVC", 258), ("DOA", 259), ("AMTRELAY", 260), ("TA", 32768), ("DLV", 32769),
    ];

    private static readonly Dictionary<string, ushort> ByName = BuildByName();
    private static readonly Dictionary<string, ushort>.AlternateLookup<ReadOnlySpan<char>> ByNameSpan =
        ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly Dictionary<ushort, string> ByType = Table.ToDictionary(e => e.Type, e => e.Name);

    /// <summary>Mnemonic (case-insensitive) or <c>TYPEnnn</c> to the type value.</summary>
    public static bool TryGetType(string name, out ushort type) => TryGetType(name.AsSpan(), out type);

    /// <inheritdoc cref="TryGetType(string, out ushort)"/>
    public static bool TryGetType(ReadOnlySpan<char> name, out ushort type)
    {
        if (name.Length == 1 && (name[0] | 0x20) == 'a')
        {
            type = 1; // A: most records of big zones, skip the hashing
            return true;
        }

        if (ByNameSpan.TryGetValue(name, out type))
        {
            return true;
        }

        return TryParseNumbered(name, "TYPE", out type);
    }

    /// <summary>The mnemonic of a type, or <c>TYPEnnn</c> when it has none.</summary>
    public static string ToMnemonic(ushort type) =>
        ByType.TryGetValue(type, out var name) ? name : "TYPE" + type.ToString(CultureInfo.InvariantCulture);

    /// <summary>True when the type has a mnemonic in the table.</summary>
    public static bool HasMnemonic(ushort type) => ByType.ContainsKey(type);

    /// <summary>Class mnemonic (IN, CH, CS, HS, NONE, ANY) or <c>CLASSnnn</c> to the class value.</summary>
    public static bool TryGetClass(ReadOnlySpan<char> name, out ushort value)
    {
        if (name.Equals("IN", StringComparison.OrdinalIgnoreCase))
        {
            value = 1;
            return true;
        }

        if (name.Equals("CH", StringComparison.OrdinalIgnoreCase) || name.Equals("CS", StringComparison.OrdinalIgnoreCase))
        {
            value = name[1] is 'H' or 'h' ? (ushort)3 : (ushort)2;
            return true;
        }

        if (name.Equals("HS", StringComparison.OrdinalIgnoreCase))
        {
            value = 4;
            return true;
        }

        if (name.Equals("NONE", StringComparison.OrdinalIgnoreCase))
        {
            value = 254;
            return true;
        }

        return TryParseNumbered(name, "CLASS", out value);
    }

    /// <summary>Class value to mnemonic, or <c>CLASSnnn</c>.</summary>
    public static string ClassToMnemonic(ushort value) => value switch
    {
        1 => "IN",
        2 => "CS",
        3 => "CH",
        4 => "HS",
        254 => "NONE",
        255 => "ANY",
        _ => "CLASS" + value.ToString(CultureInfo.InvariantCulture),
    };

    private static bool TryParseNumbered(ReadOnlySpan<char> name, string prefix, out ushort value)
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

    private static Dictionary<string, ushort> BuildByName()
    {
        var map = new Dictionary<string, ushort>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, type) in Table)
        {
            map[name] = type;
        }

        return map;
    }
}
