using System.Collections.Concurrent;

namespace GeoDns.Core.Dnssec;

/// <summary>
/// RRSIG RDATA already computed, keyed by a SHA-256 of the key and the exact RRset (owner, type,
/// TTL, canonical RDATA). Bounded: when it holds <see cref="Capacity"/> entries it starts over,
/// which costs one signature per RRset asked again and never grows memory.
/// </summary>
public sealed class SignatureCache(int capacity = 20_000)
{
    private readonly ConcurrentDictionary<UInt128, (byte[] RData, DateTimeOffset RefreshAfter)> _entries = new();

    public int Capacity { get; } = capacity;

    public int Count => _entries.Count;

    public bool TryGet(UInt128 key, DateTimeOffset now, out byte[] rdata)
    {
        if (_entries.TryGetValue(key, out var entry) && now < entry.RefreshAfter)
        {
            rdata = entry.RData;
            return true;
        }

        rdata = [];
        return false;
    }

    public void Add(UInt128 key, byte[] rdata, DateTimeOffset refreshAfter)
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[key] = (rdata, refreshAfter);
    }
}
