using System.Globalization;
using System.Net;
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
    private static readonly HashSet<string> CommonCheckKeys = ["port", "interval", "timeout", "rise", "fall", "quorum", "target"];
    private static readonly HashSet<string> HttpCheckKeys = ["path", "host", "expect", "body", "insecure"];
    private static readonly HashSet<string> DnsCheckKeys = ["name", "type", "rcode", "answer"];
    private static readonly string[] Rcodes = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

    private readonly List<ZoneDiagnostic> _diagnostics;
    private readonly Dictionary<string, RegionDefinition> _regions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CheckDefinition> _checks = new(StringComparer.Ordinal);

    public TrafficSyntax(List<ZoneDiagnostic> diagnostics)
    {
        _diagnostics = diagnostics;
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
        while (!r.AtEnd)
        {
            if (!ReadSetting(r, seen, "region", out var kv, out string key, out string value))
            {
                return;
            }

            bool ok = key switch
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
            if (!ok)
            {
                return;
            }
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
        if (!KnownNames.CheckKinds.Contains(kind))
        {
            r.Error(kindToken, $"unknown check kind '{EntryReader.Shorten(kind)}' (use {string.Join(", ", KnownNames.CheckKinds.Order(StringComparer.Ordinal))})");
            return;
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!ReadCheckSettings(r, kind, settings))
        {
            return;
        }

        _checks[name] = new CheckDefinition(name, kind, settings, location);
    }

    /// <summary>Reads the key=value settings of a $CHECK line into <paramref name="settings"/>.</summary>
    private static bool ReadCheckSettings(EntryReader r, string kind, Dictionary<string, string> settings)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        TimeSpan? interval = null;
        TimeSpan? timeout = null;
        Token timeoutToken = default;
        while (!r.AtEnd)
        {
            if (!ReadSetting(r, seen, "check", out var kv, out string key, out string value))
            {
                return false;
            }

            if (!IsCheckKey(key))
            {
                return r.Error(kv.Key, $"unknown check key '{key}'");
            }

            if (!AppliesTo(key, kind))
            {
                return r.Error(kv.Key, $"key '{key}' does not apply to {kind} checks");
            }

            if (!ValidateCheckValue(r, kv, key, value, ref interval, ref timeout))
            {
                return false;
            }

            if (key == "timeout")
            {
                timeoutToken = kv.Value;
            }

            settings[key] = value;
        }

        if (interval is { } i && timeout is { } t && t >= i)
        {
            return r.Error(timeoutToken, $"timeout {settings["timeout"]} must be shorter than interval {settings["interval"]}");
        }

        return true;
    }

    private static bool IsCheckKey(string key) =>
        CommonCheckKeys.Contains(key) || HttpCheckKeys.Contains(key) || DnsCheckKeys.Contains(key);

    private static bool AppliesTo(string key, string kind) =>
        (CommonCheckKeys.Contains(key) && !(key == "port" && kind == "icmp")) ||
        (HttpCheckKeys.Contains(key) && kind is "http" or "https" && (key != "insecure" || kind == "https")) ||
        (DnsCheckKeys.Contains(key) && kind == "dns");

    private static bool ValidateCheckValue(EntryReader r, KeyValue kv, string key, string value, ref TimeSpan? interval, ref TimeSpan? timeout)
    {
        var t = kv.Value;
        switch (key)
        {
            case "port":
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535
                    || r.Error(t, $"bad port '{value}': 1 to 65535");
            case "path":
                return value.StartsWith('/') || r.Error(t, $"bad path '{value}': must start with '/'");
            case "host" or "target":
                return IPAddress.TryParse(value, out _) || Uri.CheckHostName(value) == UriHostNameType.Dns
                    || r.Error(t, $"bad {key} '{value}': a host name or address");
            case "expect":
                return IsExpectList(value) || r.Error(t, $"bad expect '{value}': status codes 100-599, ranges (200-299) or comma lists");
            case "body":
                return true;
            case "interval" or "timeout":
                var error = TimeValues.TryParseDuration(value, out var duration);
                if (error is not null || duration <= TimeSpan.Zero)
                {
                    return r.Error(t, $"bad {key} '{value}': {error ?? "must be positive"}");
                }

                if (key == "interval" && duration < TimeSpan.FromMilliseconds(100))
                {
                    return r.Error(t, $"interval {value} is below the minimum of 100ms");
                }

                if (key == "interval")
                {
                    interval = duration;
                }
                else
                {
                    timeout = duration;
                }

                return true;
            case "rise" or "fall":
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 1000
                    || r.Error(t, $"bad {key} '{value}': an integer from 1 to 1000");
            case "insecure":
                return value is "true" or "false" || r.Error(t, $"bad insecure '{value}': true or false");
            case "quorum":
                return value is "any" or "majority" or "all" || r.Error(t, $"bad quorum '{value}': any, majority or all");
            case "name":
                return Dns.DnsName.TryParse(value, Dns.DnsName.Root, out _, out var nameError) || r.Error(t, $"bad name '{value}': {nameError}");
            case "type":
                return RecordTypeNames.TryGetType(value, out _) || r.Error(t, $"unknown record type '{value}'");
            case "answer":
                return value.Length > 0 || r.Error(t, "empty answer: the text an answer record must show, e.g. answer=192.0.2.1");
            case "rcode":
                return Rcodes.Contains(value.ToUpperInvariant()) ||
                    (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int rc) && rc <= 4095)
                    || r.Error(t, $"bad rcode '{value}'");
            default:
                return r.Error(kv.Key, $"unknown check key '{key}'");
        }
    }

    private static bool IsExpectList(string value)
    {
        foreach (var part in value.Split(','))
        {
            var bounds = part.Split('-');
            if (bounds.Length > 2 || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out int lo) || lo is < 100 or > 599)
            {
                return false;
            }

            if (bounds.Length == 2 && (!int.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out int hi) || hi is < 100 or > 599 || hi < lo))
            {
                return false;
            }
        }

        return true;
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
