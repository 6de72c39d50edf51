using System.Globalization;

namespace GeoDns.Core.Zones.RData;

/// <summary>
/// RR class mnemonics both ways. The type methods are kept for their callers and read
/// <see cref="RecordTypes"/>, the one table of record types.
/// </summary>
public static class RecordTypeNames
{
    /// <inheritdoc cref="RecordTypes.TryParse(string, out ushort)"/>
    public static bool TryGetType(string name, out ushort type) => RecordTypes.TryParse(name, out type);

    /// <inheritdoc cref="RecordTypes.TryParse(string, out ushort)"/>
    public static bool TryGetType(ReadOnlySpan<char> name, out ushort type) => RecordTypes.TryParse(name, out type);

    /// <inheritdoc cref="RecordTypes.Mnemonic(ushort)"/>
    public static string ToMnemonic(ushort type) => RecordTypes.Mnemonic(type);

    /// <summary>True when the type has an entry (a mnemonic) in <see cref="RecordTypes"/>.</summary>
    public static bool HasMnemonic(ushort type) => RecordTypes.Find(type) is not null;

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

        return RecordTypes.TryParseNumbered(name, "CLASS", out value);
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
}
