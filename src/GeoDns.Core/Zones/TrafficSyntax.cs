using System.Globalization;
using System.Net;
using GeoDns.Core.Settings;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Core.Zones;

/// <summary>
/// The traffic-management additions to the master-file syntax: <c>$REGION</c> and <c>$CHECK</c>
/// (this file) and <c>POOL</c>/<c>MEMBER</c> lines (TrafficSyntax.Pools.cs). Regions and
/// checks must be declared before they are used.
/// </summary>
internal sealed partial class TrafficSyntax
{
    private readonly List<ZoneDiagnostic> _diagnostics;
    private readonly ITrafficVocabulary _vocabulary;
    private readonly Dictionary<string, RegionDefinition> _regions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CheckDefinition> _checks = new(StringComparer.Ordinal);

    public TrafficSyntax(List<ZoneDiagnostic> diagnostics, ITrafficVocabulary vocabulary)
    {
        _diagnostics = diagnostics;
        _vocabulary = vocabulary;
    }

    public IReadOnlyList<RegionDefinition> Regions => [.. _regions.Values];

    public IReadOnlyList<CheckDefinition> Checks => [.. _checks.Values];

    /// <summary><c>$REGION name key=value...</c></summary>
    public void ParseRegion(EntryReader r)
    {
        var location = r.Location(r[0]);
        if (!ReadIdentifier(r, "region name", out string name, out var nameToken))
        {
            return;
        }

        if (_regions.TryGetValue(name, out var earlier))
        {
            r.Error(nameToken, $"region '{name}' is already declared at {earlier.Location}");
            return;
        }

        var continents = new List<string>();
        var countries = new List<string>();
        var cidrs = new List<IPNetwork>();
        var asns = new List<uint>();
        double? lat = null;
        double? lon = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool ok = true; // every bad setting is reported, then the region is not declared
        while (!r.AtEnd)
        {
            if (!ReadSetting(r, seen, "region", out var kv, out string key, out string value))
            {
                ok = false;
                continue;
            }

            ok &= key switch
            {
                "continents" => ForEachItem(r, kv.Value, value, item =>
                {
                    string upper = item.ToUpperInvariant();
                    return KnownNames.Continents.Contains(upper) ? Add(continents, upper) : $"unknown continent '{item}' (use {string.Join(' ', KnownNames.Continents.Order(StringComparer.Ordinal))})";
                }),
                "countries" => ForEachItem(r, kv.Value, value, item =>
                    IsCountryCode(item) ? Add(countries, item.ToUpperInvariant()) : $"bad country '{item}': ISO 3166-1 alpha-2 (SE) or ISO 3166-2 (US-CA)"),
                "cidrs" => ForEachItem(r, kv.Value, value, item =>
                    TryParseCidr(item, out var network) ? Add(cidrs, network) : $"bad CIDR '{item}' (address/prefix with no host bits set)"),
                "asns" => ForEachItem(r, kv.Value, value, item =>
                {
                    var digits = item.StartsWith("AS", StringComparison.OrdinalIgnoreCase) ? item[2..] : item;
                    return uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out uint asn) ? Add(asns, asn) : $"bad ASN '{item}'";
                }),
                "lat" => ParseCoordinate(r, kv.Value, value, 90, "latitude", out lat),
                "lon" => ParseCoordinate(r, kv.Value, value, 180, "longitude", out lon),
                _ => r.Error(kv.Key, $"unknown $REGION key '{key}' (use continents, countries, cidrs, asns, lat, lon)"),
            };
        }

        if (!ok)
        {
            return;
        }

        if (lat.HasValue != lon.HasValue)
        {
            r.Error(location, $"region '{name}' needs both lat= and lon=, or neither");
            return;
        }

        _regions[name] = new RegionDefinition(name, continents, countries, cidrs, asns, lat, lon, location);
    }

    /// <summary><c>$CHECK name kind key=value...</c></summary>
    public void ParseCheck(EntryReader r)
    {
        var location = r.Location(r[0]);
        if (!ReadIdentifier(r, "check name", out string name, out var nameToken))
        {
            return;
        }

        if (_checks.TryGetValue(name, out var earlier))
        {
            r.Error(nameToken, $"check '{name}' is already declared at {earlier.Location}");
            return;
        }

        if (!r.Next("check kind", out var kindToken))
        {
            return;
        }

        string kind = r.String(kindToken);
        if (_vocabulary.CheckSettings(kind) is not { } schema)
        {
            r.Error(kindToken, $"unknown check kind '{EntryReader.Shorten(kind)}' (use {string.Join(", ", _vocabulary.CheckKinds.Order(StringComparer.Ordinal))})");
            return;
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool ok = true;
        Token last = kindToken;
        while (!r.AtEnd)
        {
            if (!ReadSetting(r, seen, "check", out var kv, out string key, out string value))
            {
                ok = false;
                continue;
            }

            last = kv.Value;
            ok &= CheckSetting(r, kv, key, value, kind, schema, settings);
        }

        if (ok && !CheckRules(r, last, schema, settings))
        {
            return;
        }

        if (ok)
        {
            _checks[name] = new CheckDefinition(name, kind, settings, location);
        }
    }

    /// <summary>Validates one check key for <paramref name="kind"/>; a good one goes into <paramref name="settings"/>.</summary>
    private bool CheckSetting(EntryReader r, KeyValue kv, string key, string value, string kind, SettingsSchema schema, Dictionary<string, string> settings)
    {
        if (!schema.Contains(key))
        {
            return _vocabulary.CheckKinds.Any(k => _vocabulary.CheckSettings(k)?.Contains(key) == true)
                ? r.Error(kv.Key, $"key '{key}' does not apply to {kind} checks")
                : r.Error(kv.Key, $"unknown check key '{key}' (use {string.Join(", ", schema.Names)})");
        }

        if (schema.Check(key, value) is { } error)
        {
            return r.Error(kv.Value, error);
        }

        settings[key] = value;
        return true;
    }

    /// <summary>The rules that relate several keys (a timeout under the interval), reported at <paramref name="at"/>.</summary>
    private static bool CheckRules(EntryReader r, Token at, SettingsSchema schema, IReadOnlyDictionary<string, string> settings)
    {
        var errors = new List<string>();
        schema.Read(settings, errors);
        foreach (var error in errors)
        {
            r.Error(at, error);
        }

        return errors.Count == 0;
    }

    /// <summary>address/prefix, strictly: the prefix is required and the host bits must be zero.</summary>
    private static bool TryParseCidr(string s, out IPNetwork network)
    {
        network = default;
        int slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(s.AsSpan(0, slash), out var address) ||
            !int.TryParse(s.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) ||
            prefix > (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128) ||
            s.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        for (int bit = prefix; bit < length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return false;
            }
        }

        network = new IPNetwork(address, prefix);
        return true;
    }

    private static bool IsCountryCode(string s) =>
        (s.Length == 2 && char.IsAsciiLetter(s[0]) && char.IsAsciiLetter(s[1])) ||
        (s.Length is >= 4 and <= 6 && char.IsAsciiLetter(s[0]) && char.IsAsciiLetter(s[1]) && s[2] == '-' &&
            s[3..].All(char.IsAsciiLetterOrDigit));

    private static string? Add<T>(List<T> list, T item)
    {
        list.Add(item);
        return null;
    }

    /// <summary>Applies <paramref name="parse"/> to each comma-separated item; it returns an error text or null.</summary>
    private static bool ForEachItem(EntryReader r, Token t, string value, Func<string, string?> parse)
    {
        foreach (var item in value.Split(','))
        {
            if (item.Length == 0)
            {
                return r.Error(t, $"empty item in '{value}'");
            }

            if (parse(item) is { } error)
            {
                return r.Error(t, error);
            }
        }

        return true;
    }

    private static bool ParseCoordinate(EntryReader r, Token t, string value, double limit, string what, out double? result)
    {
        result = null;
        if (!double.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double v) || Math.Abs(v) > limit)
        {
            return r.Error(t, $"bad {what} '{value}': a number from -{limit} to {limit}");
        }

        result = v;
        return true;
    }

    private static bool ReadIdentifier(EntryReader r, string what, out string name, out Token token)
    {
        name = string.Empty;
        if (!r.Next(what, out token))
        {
            return false;
        }

        name = r.String(token);
        if (token.Quoted || name.Length == 0 || name.Contains('=') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return r.Error(token, $"bad {what} '{EntryReader.Shorten(name)}': letters, digits, '-', '_', '.'");
        }

        return true;
    }

    /// <summary>Reads one <c>key=value</c>; rejects a missing value and a key given twice.</summary>
    private static bool ReadSetting(EntryReader r, HashSet<string> seen, string what, out KeyValue kv, out string key, out string value)
    {
        r.NextKeyValue(out kv);
        key = r.Span(kv.Key)[..kv.KeyLength].ToString();
        value = kv.HasValue ? r.String(kv.Value) : string.Empty;
        if (!kv.HasValue || (value.Length == 0 && !kv.Value.Quoted))
        {
            return r.Error(kv.Key, $"expected key=value in the {what} settings, got '{EntryReader.Shorten(r.Span(kv.Key))}'");
        }

        if (!seen.Add(key))
        {
            return r.Error(kv.Key, $"key '{key}' given twice");
        }

        return true;
    }
}
