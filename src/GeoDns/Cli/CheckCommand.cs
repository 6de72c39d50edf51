using System.CommandLine;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Cli;

/// <summary><c>geodns check DIR</c>: every error of every zone file, exit 1 if any.</summary>
public static class CheckCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter? errors = null)
    {
        var folder = Verb.Positional("DIR", "the zones folder");
        var command = new Command("check", "Report every error of every zone file in DIR as file:line:column; exit 1 if there is any.") { folder };
        return Verb.Run(command, args, errors ?? output, parsed => Run(parsed.GetValue(folder)!, output));
    }

    public static int Run(string directory, TextWriter output)
    {
        if (!Directory.Exists(directory))
        {
            output.WriteLine($"geodns check: '{directory}' is not a folder");
            return 2;
        }

        // The services serve builds its zones with: the same parser vocabulary, probe plan and compiler.
        using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<HealthBoard>()
            .AddZonePipeline(geoIp: null, geoIpAsn: null)
            .BuildServiceProvider();
        var builds = services.GetRequiredService<ZonePipeline>().LoadDirectory(directory);
        int errors = 0;
        int warnings = 0;
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

        output.WriteLine($"{builds.Count} zone files, {errors} errors, {warnings} warnings");
        return errors > 0 ? 1 : 0;
    }
}
