using GeoDns.Core.Dns;

namespace GeoDns.Core.Dnssec;

/// <summary>The keys of one zone. Which of them are published and which sign is decided at query time from their timing.</summary>
public sealed class ZoneKeys
{
    public ZoneKeys(DnsName zone, IReadOnlyList<SigningKey> keys)
    {
        Zone = zone;
        Keys = keys;
    }

    public DnsName Zone { get; }

    public IReadOnlyList<SigningKey> Keys { get; }

    /// <summary>True when some key signs now: the zone is served signed.</summary>
    public bool IsSigned(DateTimeOffset now)
    {
        // Asked for every query with DO: a loop, not LINQ, so that a cached answer allocates nothing here.
        for (int i = 0; i < Keys.Count; i++)
        {
            if (Keys[i].Timing.IsActive(now))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The next time a key is published, activated, retired or deleted after <paramref name="now"/> (max value: never).</summary>
    public DateTimeOffset NextChange(DateTimeOffset now) =>
        Keys.SelectMany(k => new[] { k.Timing.Publish, k.Timing.Activate, k.Timing.Inactive, k.Timing.Delete })
            .Where(t => t > now).Select(t => t!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();

    /// <summary>The keys in the DNSKEY RRset now.</summary>
    public IEnumerable<SigningKey> Published(DateTimeOffset now) => Keys.Where(k => k.Timing.IsPublished(now));

    /// <summary>
    /// The keys that sign the DNSKEY RRset (<paramref name="dnskey"/>) or any other RRset now: active
    /// KSKs for the DNSKEY RRset, active ZSKs for the rest; a zone whose active keys are all of
    /// one kind signs everything with them (a combined signing key).
    /// </summary>
    public IEnumerable<SigningKey> Signing(DateTimeOffset now, bool dnskey)
    {
        var active = Keys.Where(k => k.Timing.IsActive(now)).ToList();
        var preferred = active.Where(k => k.IsKeySigning == dnskey).ToList();
        return preferred.Count > 0 ? preferred : active;
    }
}
