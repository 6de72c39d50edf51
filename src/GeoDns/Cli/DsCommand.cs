using System.CommandLine;
using GeoDns.Core.Dns;
using GeoDns.Core.Dnssec;
using GeoDns.Dnssec;

namespace GeoDns.Cli;

/// <summary><c>geodns ds ZONE --keys DIR</c>: the DS (SHA-256) and DNSKEY records of the zone's key-signing keys, for the parent.</summary>
public static class DsCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter errors, TimeProvider? time = null)
    {
        var zoneArgument = Verb.Positional("ZONE", "the zone");
        var keys = Verb.Text("--keys", "DIR", "the keys folder");
        var command = new Command("ds", "Print the DS (SHA-256) and DNSKEY records of ZONE's key-signing keys that are published or will be (not deleted) for its parent.")
        {
            zoneArgument, keys,
        };
        return Verb.Run(command, args, errors, parsed =>
        {
            string? folder = parsed.GetValue(keys);
            if (string.IsNullOrWhiteSpace(folder))
            {
                return Verb.UsageError(command, errors, "give --keys DIR");
            }

            if (!DnsName.TryParse(parsed.GetValue(zoneArgument)!, DnsName.Root, out var zone, out string? problem))
            {
                return Verb.UsageError(command, errors, $"bad zone name: {problem}");
            }

            List<KeyPair> pairs;
            try
            {
                pairs = KeyDirectory.ReadZone(folder, zone);
            }
            catch (KeyFileException e)
            {
                errors.WriteLine($"geodns ds: {e.Message}");
                return ExitCodes.Failed;
            }

            var now = (time ?? TimeProvider.System).GetUtcNow();
            var entryPoints = pairs.Where(p => !(p.Timing.Delete <= now)).ToList();
            if (entryPoints.Any(p => (p.Flags & SigningKey.SecureEntryPointFlag) != 0))
            {
                entryPoints = entryPoints.Where(p => (p.Flags & SigningKey.SecureEntryPointFlag) != 0).ToList();
            }

            if (entryPoints.Count == 0)
            {
                errors.WriteLine($"geodns ds: no key for {zone} in '{folder}'");
                return ExitCodes.Failed;
            }

            foreach (var pair in entryPoints)
            {
                var rdata = SigningKey.BuildRData(pair.Flags, pair.Algorithm, pair.PublicKey);
                output.WriteLine(DsRecord.Format(zone, pair.Tag, pair.Algorithm, rdata));
                output.WriteLine($"{zone} IN DNSKEY {pair.Flags} 3 {pair.Algorithm} {Convert.ToBase64String(pair.PublicKey)}");
            }

            return ExitCodes.Ok;
        });
    }
}
