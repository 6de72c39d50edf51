using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;

namespace GeoDns.Cli;

/// <summary><c>geodns check DIR</c>: every error of every zone file, exit 1 if any.</summary>
public static class CheckCommand
{
    public static int Run(string directory, TextWriter output)
    {
        if (!Directory.Exists(directory))
        {
            output.WriteLine($"geodns check: '{directory}' is not a folder");
            return 2;
        }

        var files = ZoneDirectoryLoader.LoadAll(directory);
        int errors = 0;
        int warnings = 0;
        foreach (var file in files)
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

        if (files.Count == 0)
        {
            output.WriteLine($"geodns check: no *.zone files in '{directory}'");
            return 1;
        }

        output.WriteLine($"{files.Count} zone files, {errors} errors, {warnings} warnings");
        return errors > 0 ? 1 : 0;
    }
}
