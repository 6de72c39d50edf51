using GeoDns.Core;
using GeoDns.Core.Dnssec;
using Microsoft.Extensions.Logging;

namespace GeoDns.Dnssec;

/// <summary>
/// Reads the keys folder again with every zone reload (SIGHUP, a changed zone file, the admin
/// reload), so that a key added for a rollover is used without a restart. A folder with a bad
/// key file keeps the keys already served, and says which file, on one line.
/// </summary>
public sealed partial class KeyReloader(string directory, QueryProcessor processor, TimeProvider time, ILogger<KeyReloader> logger)
{
    private readonly SignatureCache _cache = processor.Signer?.Cache ?? new SignatureCache();

    public void Reload()
    {
        var keyring = KeyDirectory.Load(directory, out var errors);
        if (errors.Count > 0)
        {
            foreach (string error in errors)
            {
                KeysNotLoaded(logger, error);
            }

            return;
        }

        if (processor.Signer is { } current && SameKeys(current.Keyring, keyring))
        {
            return;
        }

        processor.Signer = keyring.Zones.Count > 0 ? new ResponseSigner(keyring, time, _cache) : null;
        KeysLoaded(logger, keyring.Zones.Sum(z => z.Keys.Count), keyring.Zones.Count, directory);
    }

    private static bool SameKeys(Keyring a, Keyring b) =>
        Describe(a).SequenceEqual(Describe(b), StringComparer.Ordinal);

    private static IEnumerable<string> Describe(Keyring keyring) =>
        keyring.Zones.SelectMany(z => z.Keys).Select(k => $"{k.Source} {k.Tag} {k.Timing}").Order(StringComparer.Ordinal);

    [LoggerMessage(EventId = 700, EventName = "DnssecKeysLoaded", Level = LogLevel.Information, Message = "DNSSEC: {Keys} keys for {Zones} zones from {Directory}")]
    private static partial void KeysLoaded(ILogger logger, int keys, int zones, string directory);

    [LoggerMessage(EventId = 701, EventName = "DnssecKeyNotLoaded", Level = LogLevel.Error, Message = "DNSSEC: {Problem}; the keys already loaded stay in use")]
    private static partial void KeysNotLoaded(ILogger logger, string problem);
}
