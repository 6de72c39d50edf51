using GeoDns.Core;
using Microsoft.Extensions.Logging;

namespace GeoDns.Hosting;

/// <summary>
/// Reads the cookie secret file again with every zone reload (SIGHUP, a changed zone file, the
/// admin reload), so the three steps of a secret rollover (docs/operations.md) need no restart.
/// A file that cannot be read or is malformed keeps the secret in use and says why on one line;
/// the secret itself is never logged.
/// </summary>
public sealed partial class CookieReloader(CookieSettings settings, QueryProcessor processor, TimeProvider clock, ILogger<CookieReloader> logger)
{
    public void Reload()
    {
        if (string.IsNullOrWhiteSpace(settings.SecretFile) || processor.Cookies is not { } current)
        {
            return;
        }

        try
        {
            var read = settings.Build(clock);
            if (read is null || read.HasSameSecrets(current))
            {
                return;
            }

            processor.Cookies = read;
            SecretReloaded(logger, settings.SecretFile);
        }
        catch (FormatException e)
        {
            SecretNotReloaded(logger, e.Message);
        }
    }

    [LoggerMessage(EventId = 720, EventName = "CookieSecretReloaded", Level = LogLevel.Information, Message = "DNS cookies: new secret read from {File}")]
    private static partial void SecretReloaded(ILogger logger, string file);

    [LoggerMessage(EventId = 721, EventName = "CookieSecretNotReloaded", Level = LogLevel.Error, Message = "DNS cookies: {Problem}; the secret already loaded stays in use")]
    private static partial void SecretNotReloaded(ILogger logger, string problem);
}
