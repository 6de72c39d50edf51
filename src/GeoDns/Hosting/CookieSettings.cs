using GeoDns.Core.Cookies;

namespace GeoDns.Hosting;

/// <summary>
/// DNS cookies (configuration section <c>Cookies</c>): on by default, as RFC 7873 says servers
/// should. Servers that answer for the same addresses (anycast) share a 16-octet secret so each
/// accepts the others' cookies; without one a secret is drawn for the process.
/// </summary>
public sealed class CookieSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>The secret as 32 hex digits (prefer <see cref="SecretFile"/>: settings files are often readable by many).</summary>
    public string? Secret { get; set; }

    /// <summary>A second secret, accepted but never used to make cookies: the old or the coming one during a rollover.</summary>
    public string? PreviousSecret { get; set; }

    /// <summary>A file whose first line is the secret (32 hex digits) and whose optional second line is <see cref="PreviousSecret"/>.</summary>
    public string? SecretFile { get; set; }

    /// <summary>
    /// The server cookies these settings describe; null when off. Throws <see cref="FormatException"/>
    /// for a malformed secret (naming the setting or file:line, never the value) or an unreadable file.
    /// </summary>
    public ServerCookies? Build(TimeProvider clock)
    {
        if (!Enabled)
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(SecretFile))
        {
            if (!string.IsNullOrWhiteSpace(Secret) || !string.IsNullOrWhiteSpace(PreviousSecret))
            {
                throw new FormatException("Cookies: give the secret in Cookies:SecretFile or in Cookies:Secret, not both");
            }

            var (current, previous) = ReadFile(SecretFile);
            return new ServerCookies(current, previous, clock);
        }

        if (string.IsNullOrWhiteSpace(Secret))
        {
            if (!string.IsNullOrWhiteSpace(PreviousSecret))
            {
                throw new FormatException("Cookies:PreviousSecret is set without Cookies:Secret");
            }

            return ServerCookies.WithRandomSecret(clock);
        }

        return new ServerCookies(Parse(Secret, "Cookies:Secret"),
            string.IsNullOrWhiteSpace(PreviousSecret) ? default : Parse(PreviousSecret, "Cookies:PreviousSecret"), clock);
    }

    private static (byte[] Current, byte[] Previous) ReadFile(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"cookie secret file {path} cannot be read: {e.Message}", e);
        }

        var secrets = lines.Select((text, index) => (Text: text.Trim(), Line: index + 1))
            .Where(l => l.Text.Length > 0 && !l.Text.StartsWith('#')).ToList();
        if (secrets.Count is 0 or > 2)
        {
            throw new FormatException($"{path}: give the secret on one line (32 hex digits), optionally a second one accepted during a rollover on the next; found {secrets.Count} lines");
        }

        return (Parse(secrets[0].Text, $"{path}:{secrets[0].Line}"), secrets.Count == 2 ? Parse(secrets[1].Text, $"{path}:{secrets[1].Line}") : []);
    }

    private static byte[] Parse(string text, string where)
    {
        string hex = text.Trim();
        if (hex.Length != 2 * ServerCookies.SecretLength || !hex.All(char.IsAsciiHexDigit))
        {
            throw new FormatException($"{where}: a cookie secret is {2 * ServerCookies.SecretLength} hex digits (16 octets); got {hex.Length} characters");
        }

        return Convert.FromHexString(hex);
    }
}
