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
                "explain" => ExplainCommand.Run(rest, Console.Out),
                "check" => rest.Length == 1 ? CheckCommand.Run(rest[0], Console.Out) : Usage("geodns check DIR"),
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
        Console.Error.WriteLine($"geodns: {message}");
        Console.Error.WriteLine("Run 'geodns help' for the commands.");
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
                         [--redis CONFIG] [--instance NAME] [--geoip FILE.mmdb] [--geoip-asn FILE.mmdb]
                         [--udp-threads N] [--log-format text|json]
                Serve the zones in DIR (default ./zones) on 127.0.0.1:5300 unless --dns says otherwise.
                Settings may also come from appsettings.json and GEODNS_* environment variables.
                SIGHUP or a changed zone file reloads; SIGINT/SIGTERM stop.
            geodns check DIR
                Report every error of every zone file in DIR; exit 1 if there is any.
            geodns explain NAME [--type A] [--client IP | --subnet CIDR] [--zones DIR] [--geoip FILE] [--geoip-asn FILE]
                Show how a traffic-managed name is answered for a client: location, region, candidates, answer.
            geodns version
            """);
        return 0;
    }
}
