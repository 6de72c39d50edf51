using System.Globalization;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Dnssec;

/// <summary>
/// Reads and writes the text of BIND's key files: the public <c>.key</c> (a DNSKEY record,
/// comments with the timing) and the <c>.private</c> (Private-key-format v1.3: algorithm,
/// private key, timing). Pure text in and out; the host reads and writes the files.
/// </summary>
public static class KeyFileFormat
{
    private static readonly string[] TimingFields = ["Created", "Publish", "Activate", "Inactive", "Delete"];

    /// <summary>Parses a pair; <paramref name="keyPath"/> and <paramref name="privatePath"/> name the files in errors.</summary>
    public static KeyPair Parse(string keyPath, string keyText, string privatePath, string privateText)
    {
        var (zone, flags, algorithm, publicKey) = ParsePublic(keyPath, keyText);
        var fields = ParseFields(privatePath, privateText);
        if (!fields.TryGetValue("Private-key-format", out var format) || !format.Value.StartsWith("v1.", StringComparison.Ordinal))
        {
            throw new KeyFileException($"{privatePath}: not a BIND private key (no 'Private-key-format: v1.x' line)");
        }

        var algorithmField = Field(fields, privatePath, "Algorithm");
        string algorithmNumber = algorithmField.Value.Split(' ', 2)[0];
        if (algorithmNumber != algorithm.ToString(CultureInfo.InvariantCulture))
        {
            throw new KeyFileException($"{privatePath}:{algorithmField.Line}: algorithm {algorithmNumber} does not match the public key's {algorithm}");
        }

        var keyField = Field(fields, privatePath, "PrivateKey");
        byte[] privateKey = Base64(privatePath, keyField.Line, keyField.Value);
        if (algorithm == DnssecAlgorithm.EcdsaP256Sha256 && privateKey.Length is >= 29 and < 32)
        {
            // An ECDSA private key is an integer: some dnssec-keygen builds drop its leading zero
            // octets (one key in 256 is 31 octets, one in 65,536 is 30). Big-endian: pad on the
            // left. Anything shorter is a damaged file, not a rare key.
            var padded = new byte[32];
            privateKey.CopyTo(padded.AsSpan(32 - privateKey.Length));
            privateKey = padded;
        }

        if (privateKey.Length != DnssecAlgorithm.PrivateKeyLength(algorithm))
        {
            throw new KeyFileException($"{privatePath}:{keyField.Line}: a {DnssecAlgorithm.Mnemonic(algorithm)} private key is {DnssecAlgorithm.PrivateKeyLength(algorithm)} octets, this one {privateKey.Length}");
        }

        var publicTiming = ParseFields(keyPath, string.Join('\n', keyText.Split('\n').Select(l => l.TrimStart().StartsWith(';') ? l.TrimStart()[1..] : "")));
        var timing = new DateTimeOffset?[TimingFields.Length];
        for (int i = 0; i < TimingFields.Length; i++)
        {
            timing[i] = Time(privatePath, fields, TimingFields[i]) ?? Time(keyPath, publicTiming, TimingFields[i]);
        }

        return new KeyPair(zone, flags, algorithm, publicKey, privateKey, new KeyTiming(timing[0], timing[1], timing[2], timing[3], timing[4]));
    }

    /// <summary>The owner, flags, algorithm and public key of the DNSKEY record in a .key file.</summary>
    public static (DnsName Zone, ushort Flags, byte Algorithm, byte[] PublicKey) ParsePublic(string path, string text)
    {
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith(';'))
            {
                continue;
            }

            return ParseDnskey(path, i + 1, line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
        }

        throw new KeyFileException($"{path}: no DNSKEY record");
    }

    private static (DnsName, ushort, byte, byte[]) ParseDnskey(string path, int line, string[] tokens)
    {
        int type = Array.FindIndex(tokens, t => t.Equals("DNSKEY", StringComparison.OrdinalIgnoreCase));
        if (type < 1 || tokens.Length < type + 5)
        {
            throw new KeyFileException($"{path}:{line}: expected 'ZONE [TTL] [IN] DNSKEY FLAGS 3 ALGORITHM KEY'");
        }

        if (!DnsName.TryParse(tokens[0], DnsName.Root, out var zone, out string? error))
        {
            throw new KeyFileException($"{path}:{line}: bad zone name '{tokens[0]}': {error}");
        }

        if (!ushort.TryParse(tokens[type + 1], CultureInfo.InvariantCulture, out ushort flags) || (flags & SigningKey.ZoneKeyFlag) == 0)
        {
            throw new KeyFileException($"{path}:{line}: flags '{tokens[type + 1]}' are not a zone key's (256 or 257)");
        }

        if (tokens[type + 2] != "3")
        {
            throw new KeyFileException($"{path}:{line}: protocol must be 3, not '{tokens[type + 2]}'");
        }

        if (!byte.TryParse(tokens[type + 3], CultureInfo.InvariantCulture, out byte algorithm) || !DnssecAlgorithm.IsSupported(algorithm))
        {
            throw new KeyFileException($"{path}:{line}: algorithm '{tokens[type + 3]}' is not supported (13 ECDSAP256SHA256 or 15 ED25519)");
        }

        byte[] publicKey = Base64(path, line, string.Concat(tokens[(type + 4)..]));
        if (publicKey.Length != DnssecAlgorithm.PublicKeyLength(algorithm))
        {
            throw new KeyFileException($"{path}:{line}: a {DnssecAlgorithm.Mnemonic(algorithm)} public key is {DnssecAlgorithm.PublicKeyLength(algorithm)} octets, this one {publicKey.Length}");
        }

        return (zone, flags, algorithm, publicKey);
    }

    /// <summary>The text of the .key file, as dnssec-keygen writes it.</summary>
    public static string FormatPublic(KeyPair pair)
    {
        var text = new System.Text.StringBuilder();
        string role = pair.Flags == (SigningKey.ZoneKeyFlag | SigningKey.SecureEntryPointFlag) ? "key-signing" : "zone-signing";
        text.Append(CultureInfo.InvariantCulture, $"; This is a {role} key, keyid {pair.Tag}, for {pair.Zone}\n");
        foreach (var (name, time) in Times(pair.Timing))
        {
            text.Append(CultureInfo.InvariantCulture, $"; {name}: {KeyTiming.Format(time)} ({time.UtcDateTime:R})\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"{pair.Zone} IN DNSKEY {pair.Flags} 3 {pair.Algorithm} {Convert.ToBase64String(pair.PublicKey)}\n");
        return text.ToString();
    }

    /// <summary>The text of the .private file (Private-key-format v1.3).</summary>
    public static string FormatPrivate(KeyPair pair)
    {
        var text = new System.Text.StringBuilder();
        text.Append("Private-key-format: v1.3\n");
        text.Append(CultureInfo.InvariantCulture, $"Algorithm: {pair.Algorithm} ({DnssecAlgorithm.Mnemonic(pair.Algorithm)})\n");
        text.Append(CultureInfo.InvariantCulture, $"PrivateKey: {Convert.ToBase64String(pair.PrivateKey)}\n");
        foreach (var (name, time) in Times(pair.Timing))
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}: {KeyTiming.Format(time)}\n");
        }

        return text.ToString();
    }

    private static IEnumerable<(string, DateTimeOffset)> Times(KeyTiming timing)
    {
        DateTimeOffset?[] times = [timing.Created, timing.Publish, timing.Activate, timing.Inactive, timing.Delete];
        for (int i = 0; i < times.Length; i++)
        {
            if (times[i] is { } time)
            {
                yield return (TimingFields[i], time);
            }
        }
    }

    private static Dictionary<string, (string Value, int Line)> ParseFields(string path, string text)
    {
        var fields = new Dictionary<string, (string, int)>(StringComparer.OrdinalIgnoreCase);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !line.StartsWith(';'))
            {
                fields[line[..colon].Trim()] = (line[(colon + 1)..].Trim(), i + 1);
            }
        }

        return fields;
    }

    private static (string Value, int Line) Field(Dictionary<string, (string Value, int Line)> fields, string path, string name) =>
        fields.TryGetValue(name, out var field) ? field : throw new KeyFileException($"{path}: no '{name}:' line");

    private static DateTimeOffset? Time(string path, Dictionary<string, (string Value, int Line)> fields, string name)
    {
        if (!fields.TryGetValue(name, out var field))
        {
            return null;
        }

        string stamp = field.Value.Split(' ', 2)[0];
        return KeyTiming.TryParse(stamp, out var time) ? time
            : throw new KeyFileException($"{path}:{field.Line}: {name} '{stamp}' is not a YYYYMMDDHHMMSS time");
    }

    private static byte[] Base64(string path, int line, string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new KeyFileException($"{path}:{line}: the key is not valid base64");
        }
    }
}
