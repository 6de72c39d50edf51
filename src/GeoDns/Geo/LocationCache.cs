using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;

namespace GeoDns.Geo;

/// <summary>
/// A bounded, direct-mapped cache of client networks to locations. Readers take no lock and
/// allocate nothing: a slot holds one immutable entry, replaced with a single reference write
/// (a colliding network evicts the previous one).
/// </summary>
public sealed class LocationCache
{
    private readonly Entry?[] _slots;
    private readonly int _mask;

    /// <param name="slots">Rounded up to a power of two.</param>
    public LocationCache(int slots = 1 << 16)
    {
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(slots, 16));
        _slots = new Entry?[size];
        _mask = size - 1;
    }

    public int Capacity => _slots.Length;

    /// <summary>How many slots hold an entry (a diagnostic; walks the table).</summary>
    public int Count => _slots.Count(s => s is not null);

    /// <summary>Finds the entry of <paramref name="network"/>/<paramref name="prefix"/> (network already masked).</summary>
    public bool TryGet(ClientAddress network, int prefix, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Entry? entry)
    {
        entry = Volatile.Read(ref _slots[Slot(network, prefix)]);
        if (entry is not null && entry.Network == network && entry.Prefix == prefix)
        {
            return true;
        }

        entry = null;
        return false;
    }

    public void Set(Entry entry) => Volatile.Write(ref _slots[Slot(entry.Network, entry.Prefix)], entry);

    private int Slot(ClientAddress network, int prefix)
    {
        ulong h = (ulong)network.Value ^ ((ulong)(network.Value >> 64) * 0x9E3779B97F4A7C15UL) ^ ((ulong)prefix << 57) ^ (network.IsIPv4 ? 1UL : 0UL);
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 32;
        return (int)h & _mask;
    }

    /// <summary>
    /// A cached network. <see cref="Split"/>: the block holds several database networks (or
    /// some addresses nobody knows), so look the client up by its own address instead.
    /// </summary>
    public sealed record Entry(ClientAddress Network, int Prefix, ClientLocation Location, bool Split);
}
