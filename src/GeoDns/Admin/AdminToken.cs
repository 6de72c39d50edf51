using System.Security.Cryptography;
using System.Text;

namespace GeoDns.Admin;

/// <summary>The admin bearer token, compared in constant time. Without a token every mutation is refused.</summary>
public sealed class AdminToken
{
    private readonly byte[]? _hash;

    private AdminToken(byte[]? hash, string? name)
    {
        _hash = hash;
        Name = name;
    }

    public static readonly AdminToken None = new(null, null);

    public bool Configured => _hash is not null;

    /// <summary>What logs call the token (its file's name), never the secret; null when it has none.</summary>
    public string? Name { get; }

    public static AdminToken FromSecret(string secret, string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        return new AdminToken(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), name);
    }

    /// <summary>Reads the token from the first non-blank line of <paramref name="path"/>; throws with a clear message when it cannot.</summary>
    public static AdminToken FromFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"admin token file {path} cannot be read: {e.Message}", e);
        }

        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        if (line is null)
        {
            throw new InvalidOperationException($"admin token file {path} is empty");
        }

        return FromSecret(line, Path.GetFileName(path));
    }

    /// <summary>True when <paramref name="authorization"/> is <c>Bearer TOKEN</c> with the configured token.</summary>
    public bool Accepts(string? authorization)
    {
        if (_hash is null || authorization is null
            || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[7..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _hash);
    }
}
