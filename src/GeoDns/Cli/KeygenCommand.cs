using System.CommandLine;
using GeoDns.Core.Dns;
using GeoDns.Core.Dnssec;
using GeoDns.Dnssec;

namespace GeoDns.Cli;

/// <summary><c>geodns keygen ZONE --keys DIR</c>: a new key pair in BIND's format, published and active now.</summary>
public static class KeygenCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter errors, TimeProvider? time = null)
    {
        var zoneArgument = Verb.Positional("ZONE", "the zone the key signs");
        var keys = Verb.Text("--keys", "DIR", "the keys folder (created if missing)");
        var algorithm = Verb.Text("--algorithm", "ALG", "ecdsap256sha256 (13, the default) or ed25519 (15)");
        var ksk = Verb.Flag("--ksk", "a key-signing key (flags 257): signs the DNSKEY RRset");
        var zsk = Verb.Flag("--zsk", "a zone-signing key (flags 256): signs the zone's data");
        var csk = Verb.Flag("--csk", "a combined signing key (flags 257) that signs everything (the default)");
        var command = new Command("keygen", "Write a new key pair for ZONE into DIR as K<zone>.+<alg>+<tag>.key/.private (BIND's format) and print its base name.")
        {
            zoneArgument, keys, algorithm, ksk, zsk, csk,
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

            if (new[] { ksk, zsk, csk }.Count(o => parsed.GetValue(o)) > 1)
            {
                return Verb.UsageError(command, errors, "give at most one of --ksk, --zsk, --csk");
            }

            byte number;
            switch (parsed.GetValue(algorithm)?.ToLowerInvariant())
            {
                case null or "ecdsap256sha256" or "13":
                    number = DnssecAlgorithm.EcdsaP256Sha256;
                    break;
                case "ed25519" or "15":
                    number = DnssecAlgorithm.Ed25519;
                    break;
                default:
                    return Verb.UsageError(command, errors, $"unknown algorithm '{parsed.GetValue(algorithm)}' (ecdsap256sha256 or ed25519)");
            }

            ushort flags = parsed.GetValue(zsk) ? SigningKey.ZoneKeyFlag : (ushort)(SigningKey.ZoneKeyFlag | SigningKey.SecureEntryPointFlag);
            var pair = Generate(zone, flags, number, (time ?? TimeProvider.System).GetUtcNow());
            KeyDirectory.Write(folder, pair);
            output.WriteLine(pair.BaseName);
            return ExitCodes.Ok;
        });
    }

    /// <summary>A new pair, created, published and active at <paramref name="now"/> (second precision, as in the files).</summary>
    public static KeyPair Generate(DnsName zone, ushort flags, byte algorithm, DateTimeOffset now)
    {
        var (privateKey, publicKey) = algorithm == DnssecAlgorithm.Ed25519 ? Ed25519Signer.Generate() : EcdsaP256Signer.Generate();
        var stamp = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        return new KeyPair(zone, flags, algorithm, publicKey, privateKey, new KeyTiming(stamp, stamp, stamp, null, null));
    }
}
