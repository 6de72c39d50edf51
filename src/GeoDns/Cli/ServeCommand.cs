using GeoDns.Hosting;
using Microsoft.Extensions.Hosting;

namespace GeoDns.Cli;

/// <summary><c>geodns serve</c>: the long-running server (built by <see cref="GeoDnsHost"/>).</summary>
public static class ServeCommand
{
    public static readonly (string Option, string Key, bool Repeatable)[] Options =
    [
        ("--zones", "Zones", false),
        ("--dns", "Dns", true),
        ("--udp-threads", "UdpThreads", false),
        ("--admin", "Admin", false),
        ("--admin-token-file", "AdminTokenFile", false),
        ("--redis", "Redis", false),
        ("--instance", "Instance", false),
        ("--geoip", "GeoIp", false),
        ("--geoip-asn", "GeoIpAsn", false),
        ("--log-format", "LogFormat", false),
        ("--config", "ConfigFile", false),
        ("--rrl-responses-per-second", "Rrl:ResponsesPerSecond", false),
        ("--rrl-window", "Rrl:Window", false),
        ("--rrl-slip", "Rrl:Slip", false),
        ("--rrl-ipv4-prefix", "Rrl:Ipv4Prefix", false),
        ("--rrl-ipv6-prefix", "Rrl:Ipv6Prefix", false),
        ("--rrl-whitelist", "Rrl:Whitelist", true),
    ];

    public static int Run(string[] args)
    {
        var commandLine = new CommandLine(Options);
        if (commandLine.Parse(args) is { } error)
        {
            Console.Error.WriteLine($"geodns serve: {error}");
            return 2;
        }

        using var host = GeoDnsHost.Build(commandLine.Values);
        host.Run();
        return 0;
    }
}
