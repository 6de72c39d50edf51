using System.Runtime.CompilerServices;

namespace GeoDns.Core.Dns;

/// <summary>
/// Numbers names (<see cref="DnsName.Key"/> form) 0, 1, 2, ... in the order they are first
/// added: open addressing over slots of (hash, index), the keys kept in one byte buffer (a
/// key's characters are Latin-1, one octet of the wire name each).
/// A million names are a few large arrays instead of a million strings and dictionary
/// entries. The loader groups a zone's records with one and hands it to the compiler, which
/// keeps it as the served zone's lookup table, so every name is hashed once per load.
/// Lookups allocate nothing; add-only, and read by any number of threads once complete.
/// </summary>
internal sealed class NameIndex
{
    // A slot holds a name's hash and its index + 1 (0: empty), so a probe that meets another
    // name is settled on the slot alone.
    private Slot[] _slots;
    private int _mask;
    private int[] _keyEnds; // key i is _bytes[(i == 0 ? 0 : _keyEnds[i - 1]).._keyEnds[i]]
    private byte[] _bytes;
    private int _byteCount;

    public NameIndex(int expectedNames = 0, int expectedKeyChars = 0)
    {
        int capacity = Math.Max(expectedNames, 4);
        _slots = new Slot[SlotCountFor(capacity)];
        _mask = _slots.Length - 1;
        _keyEnds = new int[capacity];
        _bytes = new byte[Math.Max(expectedKeyChars, 64)];
    }

    public int Count { get; private set; }

    /// <summary>The index of <paramref name="key"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<char> key) => _slots[Find(key, Hash(key))].IndexPlusOne - 1;

    /// <summary>The index of <paramref name="key"/>, added with the next index when new.</summary>
    public int Add(ReadOnlySpan<char> key, out bool added) => Add(key, Hash(key), out added);

    /// <summary>As <see cref="Add(ReadOnlySpan{char}, out bool)"/>, with the key's hash from <see cref="HashOfWire"/>.</summary>
    public int Add(ReadOnlySpan<char> key, int hash, out bool added)
    {
        int slot = Find(key, hash);
        if (_slots[slot].IndexPlusOne != 0)
        {
            added = false;
            return _slots[slot].IndexPlusOne - 1;
        }

        added = true;
        if (Count == _keyEnds.Length)
        {
            Array.Resize(ref _keyEnds, Math.Max(_keyEnds.Length * 2, 4));
        }

        if (_byteCount + key.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _byteCount + key.Length));
        }

        System.Text.Encoding.Latin1.GetBytes(key, _bytes.AsSpan(_byteCount));
        _byteCount += key.Length;
        int index = Count++;
        _keyEnds[index] = _byteCount;
        _slots[slot] = new Slot(hash, index + 1);
        if (SlotCountFor(Count) > _slots.Length)
        {
            Rehash(SlotCountFor(Count));
        }

        return index;
    }

    private ReadOnlySpan<byte> KeyAt(int index)
    {
        int start = index == 0 ? 0 : _keyEnds[index - 1];
        return _bytes.AsSpan(start, _keyEnds[index] - start);
    }

    /// <summary>Gives back room kept for more names when much of it went unused.</summary>
    public void TrimExcess()
    {
        if (_keyEnds.Length > Count + (Count / 4))
        {
            Array.Resize(ref _keyEnds, Count);
        }

        if (_bytes.Length > _byteCount + (_byteCount / 4))
        {
            Array.Resize(ref _bytes, _byteCount);
        }
    }

    private int Find(ReadOnlySpan<char> key, int hash)
    {
        var slots = _slots;
        int i = hash & _mask;
        while (true)
        {
            var slot = slots[i];
            if (slot.IndexPlusOne == 0 || (slot.Hash == hash && SameKey(KeyAt(slot.IndexPlusOne - 1), key)))
            {
                return i;
            }

            i = (i + 1) & _mask;
        }
    }

    private static bool SameKey(ReadOnlySpan<byte> stored, ReadOnlySpan<char> key)
    {
        if (stored.Length != key.Length)
        {
            return false;
        }

        // The vectorized comparison covers ASCII; a name with other octets is compared one by one.
        if (System.Text.Ascii.Equals(stored, key))
        {
            return true;
        }

        for (int i = 0; i < key.Length; i++)
        {
            if (stored[i] != key[i])
            {
                return false;
            }
        }

        return true;
    }

    private void Rehash(int slotCount)
    {
        var slots = new Slot[slotCount];
        int mask = slotCount - 1;
        foreach (var slot in _slots)
        {
            if (slot.IndexPlusOne == 0)
            {
                continue;
            }

            int i = slot.Hash & mask;
            while (slots[i].IndexPlusOne != 0)
            {
                i = (i + 1) & mask;
            }

            slots[i] = slot;
        }

        _slots = slots;
        _mask = mask;
    }

    // At most half full: linear probing stays short.
    private static int SlotCountFor(int count) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(count * 2, 8));

    /// <summary>The hash of the key of the wire name <paramref name="wire"/> (its octets lower-cased), for <see cref="Prefetch"/>.</summary>
    public static int HashOfWire(ReadOnlySpan<byte> wire)
    {
        uint h = 2166136261;
        foreach (byte b in wire)
        {
            h = (h ^ DnsName.LowerAscii(b)) * 16777619;
        }

        return Mix(h);
    }

    /// <summary>
    /// Starts loading the slot a key of <paramref name="hash"/> probes first. Adding a million
    /// names touches a million random slots, each a cache and TLB miss (~250 ns measured on a
    /// 2-core VM); issued a few keys ahead, the loads overlap and the adds take half the time.
    /// A prefetch never faults, so a slot array replaced meanwhile is harmless.
    /// </summary>
    public unsafe void Prefetch(int hash)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref _slots[hash & _mask]));
        }
    }

    /// <summary>FNV-1a with a final mix. Names are added from zone files, never by clients, so a fixed hash is safe.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<char> key)
    {
        uint h = 2166136261;
        foreach (char c in key)
        {
            h = (h ^ c) * 16777619;
        }

        return Mix(h);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return (int)h;
    }

    private readonly record struct Slot(int Hash, int IndexPlusOne);
}
