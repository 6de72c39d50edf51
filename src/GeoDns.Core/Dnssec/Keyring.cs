using GeoDns.Core.Dns;

namespace GeoDns.Core.Dnssec;

/// <summary>Every zone's keys, immutable; looked up by the zone apex key.</summary>
public sealed class Keyring
{
    private readonly Dictionary<string, ZoneKeys> _zones;
    private readonly Dictionary<string, ZoneKeys>.AlternateLookup<ReadOnlySpan<char>> _byKey;

    public Keyring(IEnumerable<SigningKey> keys)
    {
        _zones = keys.GroupBy(k => k.Zone).ToDictionary(g => g.Key.Key, g => new ZoneKeys(g.Key, g.ToList()), StringComparer.Ordinal);
        _byKey = _zones.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static Keyring Empty { get; } = new([]);

    public IReadOnlyCollection<ZoneKeys> Zones => _zones.Values;

    public ZoneKeys? For(DnsName zone) => For(zone.Key);

    public ZoneKeys? For(ReadOnlySpan<char> apexKey) => _byKey.TryGetValue(apexKey, out var keys) ? keys : null;
}
