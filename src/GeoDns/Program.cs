using GeoDns.Cli;

namespace GeoDns;

internal static class Program
{
    private static int Main(string[] args)
    {
        string verb = args.Length > 0 ? args[0] : "help";
        var rest = args.Skip(1).ToArray();
        try
        {
            return verb switch
            {
                "serve" => ServeCommand.Run(rest),
                "explain" => ExplainCommand.Run(rest, Console.Out, Console.Error),
                "check" => CheckCommand.Run(rest, Console.Out, Console.Error),
                "status" => ServerVerbs.Status(rest),
                "drain" => ServerVerbs.Drain(rest, drained: true),
                "undrain" => ServerVerbs.Drain(rest, drained: false),
                "force" => ServerVerbs.Force(rest),
                "pin" => ServerVerbs.Pin(rest),
                "unpin" => ServerVerbs.Unpin(rest),
                "reload" => ServerVerbs.Reload(rest),
                "drill" => DrillCommand.Run(rest),
                "keygen" => KeygenCommand.Run(rest, Console.Out, Console.Error),
                "ds" => DsCommand.Run(rest, Console.Out, Console.Error),
                "help" or "--help" or "-h" => Help(),
                "version" or "--version" => Version(),
                _ => Usage($"unknown command '{verb}'"),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"geodns {verb}: {e.Message}");
            return 1;
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"geodns: {message} (run 'geodns help' for the commands)");
        return 2;
    }

    private static int Version()
    {
        Console.WriteLine($"geodns {typeof(Program).Assembly.GetName().Version}");
        return 0;
    }

    private static int Help()
    {
        Console.WriteLine("""
            geodns - authoritative DNS server and global traffic manager

            geodns serve [--zones DIR] [--dns ADDR:PORT ...] [--admin ADDR:PORT] [--admin-token-file FILE]
                         [--redis CONFIG [--redis-ca-file FILE]] [--instance NAME] [--geoip FILE.mmdb] [--geoip-asn FILE.mmdb]
                         [--udp-threads N] [--log-format text|json] [--nsid TEXT|off] [--otlp URL] [--metrics on|off]
                         [--rrl-responses-per-second N [--rrl-window S] [--rrl-slip N] [--rrl-ipv4-prefix N]
                          [--rrl-ipv6-prefix N] [--rrl-whitelist CIDR ...]] [--keys DIR]
                Serve the zones in DIR (default ./zones) on 127.0.0.1:5300 unless --dns says otherwise.
                Settings may also come from appsettings.json and GEODNS_* environment variables.
                SIGHUP or a changed zone file reloads; SIGINT/SIGTERM stop.
            geodns check DIR
                Report every error of every zone file in DIR; exit 1 if there is any.
            geodns explain NAME [--type TYPE] [--client IP | --subnet CIDR] [--zones DIR] [--geoip FILE] [--geoip-asn FILE]
                Answer one query offline as serve would (no live health) and say why: CNAMEs, wildcards, and for a
                pool the client's location, region, candidates, answer; else NXDOMAIN, NODATA, referral or REFUSED.
            geodns explain NAME [--type TYPE] [--client IP | --subnet CIDR] --server URL [--json]
                The same, answered by a running server from the snapshot it serves, with its live health and overrides.
            geodns keygen ZONE --keys DIR [--algorithm ecdsap256sha256|ed25519] [--ksk|--zsk|--csk]
                Write a new DNSSEC key pair in BIND's format (K<zone>.+<alg>+<tag>.key/.private); serve --keys DIR signs with it.
            geodns ds ZONE --keys DIR
                Print the DS (SHA-256) and DNSKEY records of the zone's key-signing keys for its parent.

            Against a running server's admin API (--server URL, default http://127.0.0.1:8053; changes need
            --token-file FILE or GEODNS_TOKEN_FILE; --json prints the API's JSON):
            geodns status                          pools and members: region, state, since, votes, override
            geodns drain REGION | undrain REGION   take a region out of every answer, or give it back
            geodns force POOL MEMBER up|down|auto  force a member's state, or hand it back to health checks
            geodns pin POOL REGION | unpin POOL    answer a pool from one region only, or from all again
            geodns reload                          reload the zones now (as SIGHUP); zone errors as file:line:column
            geodns drill REGION --name NAME [--server URL]... [--dns ADDR:PORT]... [--timeout 30s]
                Drain REGION, time how long each DNS instance takes to stop answering NAME from it, undrain, time the way back.
            Exit codes: 0 done, 1 failed (zone errors, not a pool, an instance that did not move), 2 usage,
            3 server unreachable, 4 token refused (401/403), 5 unknown pool, member, region or name (404).
            'geodns VERB --help' describes each verb's options.

            geodns version
            """);
        return 0;
    }
}
