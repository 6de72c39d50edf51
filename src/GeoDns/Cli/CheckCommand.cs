using System.CommandLine;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Dnssec;
using GeoDns.Geo;
using GeoDns.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Cli;

/// <summary>
/// <c>geodns check DIR [--geoip FILE] [--geoip-asn FILE] [--keys DIR]</c>: every error of every
/// zone file, the GeoIP databases and the DNSSEC keys serve would open; exit 1 if any.
/// </summary>
public static class CheckCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter? errors = null)
    {
        var folder = Verb.Positional("DIR", "the zones folder");
        var geoIp = Verb.Text("--geoip", "FILE", "the MaxMind City or Country database serve would use");
        var geoIpAsn = Verb.Text("--geoip-asn", "FILE", "the MaxMind ASN database serve would use");
        var keys = Verb.Text("--keys", "DIR", "the DNSSEC keys folder serve would use");
        var command = new Command("check", "Report every error of every zone file in DIR as file:line:column, and of the GeoIP databases and DNSSEC keys given; exit 1 if there is any.")
        {
            folder, geoIp, geoIpAsn, keys,
        };
        return Verb.Run(command, args, errors ?? output, parsed =>
            Run(parsed.GetValue(folder)!, output, parsed.GetValue(geoIp), parsed.GetValue(geoIpAsn), parsed.GetValue(keys)));
    }

    public static int Run(string directory, TextWriter output, string? geoIp = null, string? geoIpAsn = null, string? keys = null)
    {
        if (!Directory.Exists(directory))
        {
            output.WriteLine($"geodns check: '{directory}' is not a folder");
            return 2;
        }

        int errors = CheckGeoIp(output, geoIp, geoIpAsn);
        int warnings = 0;

        // The services serve builds its zones with: the same parser vocabulary, probe plan and compiler.
        using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<HealthBoard>()
            .AddZonePipeline(geoIp: null, geoIpAsn: null)
            .BuildServiceProvider();
        var builds = services.GetRequiredService<ZonePipeline>().LoadDirectory(directory);
        foreach (var file in builds.Select(b => b.File))
        {
            foreach (var diagnostic in file.Diagnostics)
            {
                output.WriteLine(diagnostic.ToString());
                if (diagnostic.Severity == DiagnosticSeverity.Error)
                {
                    errors++;
                }
                else
                {
                    warnings++;
                }
            }

            string state = file.HasErrors ? "FAILED" : "ok";
            output.WriteLine($"{file.Path}: zone {file.Origin}: {file.Records.Count} records, {file.Pools.Count} pools: {state}");
        }

        if (builds.Count == 0)
        {
            output.WriteLine($"geodns check: no *.zone files in '{directory}'");
            return 1;
        }

        if (string.IsNullOrWhiteSpace(geoIp) && builds.SelectMany(b => b.File.Pools).FirstOrDefault(LocatesClients) is { } located)
        {
            // serve logs the same at start: such a pool still answers, by CIDR rules and its fallback.
            output.WriteLine($"{located.Location}: warning: pool {located.Owner} uses policy {located.Policy}, and no GeoIP database is given (--geoip): "
                + "it routes by its regions' cidrs= rules and otherwise by its fallback");
            warnings++;
        }

        errors += CheckKeys(output, keys, builds.Select(b => b.File).ToList());
        output.WriteLine($"{builds.Count} zone files, {errors} errors, {warnings} warnings");
        return errors > 0 ? 1 : 0;
    }

    private static bool LocatesClients(PoolDefinition pool) => pool.Policy is "geo" or "nearest";

    private static int CheckGeoIp(TextWriter output, string? geoIp, string? geoIpAsn)
    {
        if (string.IsNullOrWhiteSpace(geoIp) && string.IsNullOrWhiteSpace(geoIpAsn))
        {
            return 0;
        }

        try
        {
            using var locator = new MaxMindLocator(NullIfBlank(geoIp), NullIfBlank(geoIpAsn));
            output.WriteLine($"GeoIP: {locator.Description}: ok");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException
            or MaxMind.Db.InvalidDatabaseException)
        {
            output.WriteLine($"geodns check: GeoIP database: {e.Message}");
            return 1;
        }
    }

    private static int CheckKeys(TextWriter output, string? keys, IReadOnlyList<ZoneFile> zones)
    {
        if (string.IsNullOrWhiteSpace(keys))
        {
            return 0;
        }

        if (!Directory.Exists(keys))
        {
            output.WriteLine($"geodns check: --keys: '{keys}' is not a folder");
            return 1;
        }

        var keyring = KeyDirectory.Load(keys, out var problems);
        foreach (string problem in problems)
        {
            output.WriteLine($"geodns check: --keys: {problem}");
        }

        var served = zones.Select(z => z.Origin).ToHashSet();
        foreach (var zone in keyring.Zones.OrderBy(z => z.Zone.ToString(), StringComparer.Ordinal))
        {
            string signed = zone.IsSigned(DateTimeOffset.UtcNow) ? "signed" : "not signed now (no active key)";
            string where = served.Contains(zone.Zone) ? string.Empty : " (no zone file for it here)";
            output.WriteLine($"keys: zone {zone.Zone}: {zone.Keys.Count} keys, {signed}{where}");
        }

        return problems.Count;
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
