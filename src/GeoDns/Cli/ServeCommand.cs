using System.CommandLine;
using GeoDns.Hosting;
using Microsoft.Extensions.Hosting;

namespace GeoDns.Cli;

/// <summary><c>geodns serve</c>: the long-running server (built by <see cref="GeoDnsHost"/>).</summary>
public static class ServeCommand
{
    /// <summary>Each option and the configuration key it sets (repeatable ones as <c>Dns:0</c>, <c>Dns:1</c>, as configuration binds lists).</summary>
    internal static readonly (string Option, string Key, bool Repeatable, string HelpName, string Description)[] Options =
    [
        ("--zones", "Zones", false, "DIR", "folder of <zone>.zone files (default ./zones)"),
        ("--dns", "Dns", true, "ADDR:PORT", "where to answer DNS, UDP and TCP; repeat for several (default 127.0.0.1:5300)"),
        ("--udp-threads", "UdpThreads", false, "N", "UDP receive threads per address (default one per core)"),
        ("--admin", "Admin", false, "ADDR:PORT", "admin HTTP API (default off)"),
        ("--admin-token-file", "AdminTokenFile", false, "FILE", "bearer token for mutating admin calls"),
        ("--redis", "Redis", false, "CONFIG", "StackExchange.Redis configuration to share health and overrides (host:port, or sentinels with serviceName=NAME)"),
        ("--redis-ca-file", "RedisCaFile", false, "FILE", "CA certificate Redis's TLS certificate must chain to (turns TLS on; default the system store)"),
        ("--instance", "Instance", false, "NAME", "this instance's name in shared health votes (default the host name)"),
        ("--nsid", "Nsid", false, "TEXT|off", "NSID (RFC 5001) answered to queries that ask (default the instance name)"),
        ("--cookies", "Cookies:Enabled", false, "true|false", "DNS cookies, RFC 7873/9018 (default true)"),
        ("--cookie-secret-file", "Cookies:SecretFile", false, "FILE", "cookie secret shared by instances: 32 hex digits, optionally a second one, accepted but not used, on the next line for a rollover (default a random one per process)"),
        ("--otlp", "Otlp", false, "URL", "export metrics over OTLP (also OTEL_EXPORTER_OTLP_ENDPOINT)"),
        ("--metrics", "Metrics", false, "on|off", "metrics on /metrics of the admin API and OTLP (default on)"),
        ("--geoip", "GeoIp", false, "FILE", "MaxMind GeoIP2/GeoLite2 City or Country database"),
        ("--geoip-asn", "GeoIpAsn", false, "FILE", "MaxMind ASN database"),
        ("--log-format", "LogFormat", false, "text|json", "log line format"),
        ("--keys", "Keys", false, "DIR", "DNSSEC key pairs in BIND's format (K<zone>.+<alg>+<tag>.key/.private): their zones are served signed"),
        ("--config", "ConfigFile", false, "FILE", "a JSON settings file read after appsettings.json and GEODNS_ variables"),
        ("--rrl-responses-per-second", "Rrl:ResponsesPerSecond", false, "N", "response rate limiting: UDP replies per second per client prefix and answer (default 0: off)"),
        ("--rrl-window", "Rrl:Window", false, "S", "seconds of debt a rate-limited bucket may run up (default 15)"),
        ("--rrl-slip", "Rrl:Slip", false, "N", "every Nth limited reply goes out truncated (default 2; 0 drops all)"),
        ("--rrl-ipv4-prefix", "Rrl:Ipv4Prefix", false, "N", "IPv4 client prefix length of a bucket (default 24)"),
        ("--rrl-ipv6-prefix", "Rrl:Ipv6Prefix", false, "N", "IPv6 client prefix length of a bucket (default 56)"),
        ("--rrl-whitelist", "Rrl:Whitelist", true, "CIDR", "client prefix never rate-limited; repeat for several"),
    ];

    public static int Run(string[] args)
    {
        var (command, options) = Create();
        return Verb.Run(command, args, Console.Error, parsed =>
        {
            using var host = GeoDnsHost.Build(Values(parsed, options));
            host.Run();
            return ExitCodes.Ok;
        });
    }

    /// <summary>Reads a serve argument list (without the verb) into settings as serve does; false with the first error.</summary>
    internal static bool TryParse(IReadOnlyList<string> args, out Dictionary<string, string?> values, out string? error)
    {
        var (command, options) = Create();
        var parsed = command.Parse([.. args]);
        values = [];
        error = parsed.Errors.Count > 0 ? parsed.Errors[0].Message : null;
        if (error is null)
        {
            values = Values(parsed, options);
        }

        return error is null;
    }

    private static (Command Command, List<((string Option, string Key, bool Repeatable, string HelpName, string Description) Setting, Option Option)> Options) Create()
    {
        var options = Options.Select(s => (Setting: s, Option: s.Repeatable
            ? (Option)Verb.Repeated(s.Option, s.HelpName, s.Description)
            : Verb.Text(s.Option, s.HelpName, s.Description))).ToList();
        var command = new Command("serve",
            "Serve the zones. Settings may also come from appsettings.json and GEODNS_* environment variables " +
            "(GEODNS_ZONES, GEODNS_DNS__0, ...); the command line wins. SIGHUP or a changed zone file reloads; SIGINT/SIGTERM stop.");
        foreach (var (_, option) in options)
        {
            command.Add(option);
        }

        return (command, options);
    }

    /// <summary>Only what the command line says: appsettings.json and GEODNS_ variables fill in the rest.</summary>
    private static Dictionary<string, string?> Values(ParseResult parsed,
        List<((string Option, string Key, bool Repeatable, string HelpName, string Description) Setting, Option Option)> options)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (setting, option) in options.Where(o => parsed.Given(o.Option)))
        {
            if (option is Option<string[]> repeated)
            {
                var given = parsed.GetValue(repeated) ?? [];
                for (int i = 0; i < given.Length; i++)
                {
                    values[$"{setting.Key}:{i}"] = given[i];
                }
            }
            else
            {
                values[setting.Key] = parsed.GetValue((Option<string>)option);
            }
        }

        return values;
    }
}
