using System.Globalization;
using GeoDns.Core.Dns;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Health;

/// <summary>
/// A check's typed settings for one member: the <c>$CHECK</c> keys with the member's own
/// overrides on top, and defaults for the rest. Value equality, so a reload can tell an
/// unchanged check from a changed one.
/// </summary>
public sealed record CheckSettings
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Keys that configure a check (on <c>$CHECK</c> or as a <c>MEMBER</c> override).</summary>
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.Ordinal)
    {
        "port", "interval", "timeout", "rise", "fall", "quorum", "target",
        "path", "host", "expect", "body", "insecure",
        "name", "type", "rcode", "answer",
    };

    /// <summary>The checker that runs it: http, https, tcp, icmp, dns.</summary>
    public required string Kind { get; init; }

    /// <summary>0 for checks without a port (icmp).</summary>
    public int Port { get; init; }

    public TimeSpan Interval { get; init; } = DefaultInterval;

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public int Rise { get; init; } = 2;

    public int Fall { get; init; } = 2;

    public Quorum Quorum { get; init; } = Quorum.Majority;

    /// <summary>Address or host name to probe instead of the member's own target.</summary>
    public string? Target { get; init; }

    public string Path { get; init; } = "/";

    /// <summary>HTTP Host header and TLS SNI; the probed address when absent.</summary>
    public string? Host { get; init; }

    public StatusRanges Expect { get; init; } = StatusRanges.Default;

    /// <summary>A substring the HTTP response body must contain.</summary>
    public string? Body { get; init; }

    /// <summary>https only: skip certificate verification.</summary>
    public bool Insecure { get; init; }

    /// <summary>dns: the name to ask for.</summary>
    public string QueryName { get; init; } = ".";

    public ushort QueryType { get; init; } = RecordType.NS;

    public int Rcode { get; init; }

    /// <summary>dns: an address or name that must appear in the answer section.</summary>
    public string? Answer { get; init; }

    /// <summary>Reads the settings of <paramref name="check"/> with <paramref name="overrides"/> (a member's keys) on top.</summary>
    /// <exception cref="FormatException">A value does not parse.</exception>
    public static CheckSettings From(CheckDefinition check, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var merged = new Dictionary<string, string>(check.Settings, StringComparer.Ordinal);
        if (overrides is not null)
        {
            foreach (var (key, value) in overrides)
            {
                if (Keys.Contains(key))
                {
                    merged[key] = value;
                }
            }
        }

        return Parse(check.Kind, merged);
    }

    /// <exception cref="FormatException">A value does not parse.</exception>
    public static CheckSettings Parse(string kind, IReadOnlyDictionary<string, string> settings)
    {
        string? Get(string key) => settings.TryGetValue(key, out var v) ? v : null;

        var interval = Get("interval") is { } i ? Duration("interval", i) : DefaultInterval;
        if (interval < MinInterval)
        {
            throw new FormatException($"interval {Get("interval")} is below the minimum of 100ms");
        }

        // An unwritten timeout fits the interval; a written one never outlasts it.
        var timeout = Get("timeout") is { } t ? Duration("timeout", t) : Min(DefaultTimeout, interval * 0.75);
        timeout = Min(timeout, interval);
        int defaultPort = kind switch { "http" => 80, "https" => 443, "dns" => 53, _ => 0 };
        int port = Get("port") is { } p ? Integer("port", p, 1, 65535) : defaultPort;
        if (kind == "tcp" && port == 0)
        {
            throw new FormatException("tcp checks need port=");
        }

        return new CheckSettings
        {
            Kind = kind,
            Port = port,
            Interval = interval,
            Timeout = timeout,
            Rise = Get("rise") is { } r ? Integer("rise", r, 1, 1000) : 2,
            Fall = Get("fall") is { } f ? Integer("fall", f, 1, 1000) : 2,
            Quorum = Get("quorum") switch
            {
                null or "majority" => Quorum.Majority,
                "any" => Quorum.Any,
                "all" => Quorum.All,
                var q => throw new FormatException($"bad quorum '{q}': any, majority or all"),
            },
            Target = Get("target"),
            Path = Get("path") ?? "/",
            Host = Get("host"),
            Expect = Get("expect") is { } e
                ? StatusRanges.TryParse(e, out var ranges) ? ranges : throw new FormatException($"bad expect '{e}'")
                : StatusRanges.Default,
            Body = Get("body"),
            Insecure = Get("insecure") switch
            {
                null or "false" => false,
                "true" => true,
                var x => throw new FormatException($"bad insecure '{x}': true or false"),
            },
            QueryName = Get("name") ?? ".",
            QueryType = Get("type") is { } type ? RecordTypeFromName(type) : RecordType.NS,
            Rcode = Get("rcode") is { } rc ? RcodeFromName(rc) : 0,
            Answer = Get("answer"),
        };
    }

    /// <summary>Parses <c>100ms</c>, <c>2s</c>, <c>1m</c>, <c>1h</c>; a bare number is seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits is 0 or > 9)
        {
            return false;
        }

        long n = long.Parse(text.AsSpan(0, digits), CultureInfo.InvariantCulture);
        TimeSpan? value = text[digits..].ToLowerInvariant() switch
        {
            "" or "s" => TimeSpan.FromSeconds(n),
            "ms" => TimeSpan.FromMilliseconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => null,
        };
        duration = value ?? TimeSpan.Zero;
        return value is not null;
    }

    private static TimeSpan Duration(string key, string text) =>
        TryParseDuration(text, out var d) && d > TimeSpan.Zero ? d : throw new FormatException($"bad {key} '{text}': a number with a unit (ms, s, m, h)");

    private static int Integer(string key, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw new FormatException($"bad {key} '{text}': an integer from {min} to {max}");

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static ushort RecordTypeFromName(string text)
    {
        if (text.StartsWith("TYPE", StringComparison.OrdinalIgnoreCase) &&
            ushort.TryParse(text.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out ushort numbered))
        {
            return numbered;
        }

        var field = typeof(RecordType).GetField(text.ToUpperInvariant());
        return field?.GetValue(null) is ushort type ? type : throw new FormatException($"unknown record type '{text}'");
    }

    private static int RcodeFromName(string text) => text.ToUpperInvariant() switch
    {
        "NOERROR" => 0,
        "FORMERR" => 1,
        "SERVFAIL" => 2,
        "NXDOMAIN" => 3,
        "NOTIMP" => 4,
        "REFUSED" => 5,
        _ when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= 4095 => n,
        _ => throw new FormatException($"bad rcode '{text}'"),
    };
}
