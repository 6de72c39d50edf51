using GeoDns.Core.Dns;
using GeoDns.Core.Dnssec;

namespace GeoDns.Dnssec;

/// <summary>
/// Reads the BIND key pairs in a folder (<c>K*.key</c> with their <c>.private</c>) into a
/// <see cref="Keyring"/>. A pair that cannot be used is a one-line error naming its file.
/// </summary>
public static class KeyDirectory
{
    /// <summary>Every pair in <paramref name="directory"/>; the errors of the pairs that were left out.</summary>
    public static Keyring Load(string directory, out List<string> errors)
    {
        errors = [];
        var keys = new List<SigningKey>();
        foreach (var pair in ReadPairs(directory, errors))
        {
            try
            {
                keys.Add(ToSigningKey(pair.Pair, pair.Path));
            }
            catch (Exception e) when (e is KeyFileException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                errors.Add(e is KeyFileException ? e.Message : $"{pair.Path}: unusable key: {e.Message}");
            }
        }

        return new Keyring(keys);
    }

    /// <summary>The pairs of one zone (for keygen and ds); throws the first error.</summary>
    public static List<KeyPair> ReadZone(string directory, DnsName zone)
    {
        var errors = new List<string>();
        var pairs = ReadPairs(directory, errors).Where(p => p.Pair.Zone == zone).Select(p => p.Pair).ToList();
        return errors.Count > 0 ? throw new KeyFileException(errors[0]) : pairs;
    }

    public static (string KeyPath, string PrivatePath) Write(string directory, KeyPair pair)
    {
        Directory.CreateDirectory(directory);
        string basePath = Path.Combine(directory, pair.BaseName);
        string privatePath = basePath + ".private";
        File.WriteAllText(basePath + ".key", KeyFileFormat.FormatPublic(pair));
        File.WriteAllText(privatePath, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(privatePath, KeyFileFormat.FormatPrivate(pair));
        return (basePath + ".key", privatePath);
    }

    private static List<(KeyPair Pair, string Path)> ReadPairs(string directory, List<string> errors)
    {
        if (!Directory.Exists(directory))
        {
            errors.Add($"{directory}: no such keys folder");
            return [];
        }

        var pairs = new List<(KeyPair, string)>();
        foreach (string keyPath in Directory.GetFiles(directory, "K*.key").Order(StringComparer.Ordinal))
        {
            string privatePath = Path.ChangeExtension(keyPath, ".private");
            try
            {
                if (!File.Exists(privatePath))
                {
                    throw new KeyFileException($"{keyPath}: no {Path.GetFileName(privatePath)} next to it");
                }

                var pair = KeyFileFormat.Parse(keyPath, File.ReadAllText(keyPath), privatePath, File.ReadAllText(privatePath));
                string expected = pair.BaseName + ".key";
                if (!string.Equals(Path.GetFileName(keyPath), expected, StringComparison.OrdinalIgnoreCase))
                {
                    throw new KeyFileException($"{keyPath}: the key inside is {expected} (zone, algorithm or key tag differ from the file name)");
                }

                pairs.Add((pair, keyPath));
            }
            catch (KeyFileException e)
            {
                errors.Add(e.Message);
            }
        }

        return pairs;
    }

    private static SigningKey ToSigningKey(KeyPair pair, string path)
    {
        ISignatureProvider signer;
        if (pair.Algorithm == DnssecAlgorithm.Ed25519)
        {
            var ed = new Ed25519Signer(pair.PrivateKey);
            if (!ed.PublicKey.AsSpan().SequenceEqual(pair.PublicKey))
            {
                throw new KeyFileException($"{Path.ChangeExtension(path, ".private")}: the private key does not match the public key in {Path.GetFileName(path)}");
            }

            signer = ed;
        }
        else
        {
            signer = new EcdsaP256Signer(pair.PrivateKey, pair.PublicKey);
        }

        return new SigningKey(pair.Zone, pair.Flags, pair.Algorithm, pair.PublicKey, pair.Timing, signer, path);
    }
}
