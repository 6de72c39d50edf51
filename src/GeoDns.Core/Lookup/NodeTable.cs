using System.Runtime.CompilerServices;

namespace GeoDns.Core.Lookup;

/// <summary>
/// A zone's names (<see cref="Dns.DnsName.Key"/> form) mapped to their nodes: open addressing
/// with the keys kept in one character buffer. A million-name zone is then a few large arrays
/// instead of a million key strings: less to allocate while loading, and a third fewer
/// objects for every garbage collection to trace while it is served. Lookups allocate nothing.
/// Add-only; reads may run on any number of threads once the table is no longer written.
/// </summary>
internal sealed class NodeTable
{
    // A slot holds a node's hash and its index + 1 (0: empty), so a probe that meets another
    // name is settled on the slot alone.
    private Slot[] _slots;
    private int _mask;
    private ZoneNode[] _nodes;
    private int[] _keyEnds; // key i is _chars[(i == 0 ? 0 : _keyEnds[i - 1]).._keyEnds[i]]
    private char[] _chars;
    private int _charCount;

    public NodeTable(int expectedNames = 0, int expectedKeyChars = 0)
    {
        int capacity = Math.Max(expectedNames, 4);
        _slots = new Slot[SlotCountFor(capacity)];
        _mask = _slots.Length - 1;
        _nodes = new ZoneNode[capacity];
        _keyEnds = new int[capacity];
        _chars = new char[Math.Max(expectedKeyChars, 64)];
    }

    public int Count { get; private set; }

    /// <summary>The node at <paramref name="index"/>, in the order names were added.</summary>
    public ZoneNode this[int index] => _nodes[index];

    public bool TryGetValue(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ZoneNode node)
    {
        int slot = Find(key, Hash(key));
        if (_slots[slot].IndexPlusOne == 0)
        {
            node = null;
            return false;
        }

        node = _nodes[_slots[slot].IndexPlusOne - 1];
        return true;
    }

    public bool ContainsKey(ReadOnlySpan<char> key) => _slots[Find(key, Hash(key))].IndexPlusOne != 0;

    /// <summary>
    /// The node stored under <paramref name="key"/>, or a new empty entry for it (the caller
    /// sets it; the reference is valid until the next add).
    /// </summary>
    public ref ZoneNode GetValueRefOrAddDefault(ReadOnlySpan<char> key, out bool exists)
    {
        int hash = Hash(key);
        int slot = Find(key, hash);
        if (_slots[slot].IndexPlusOne != 0)
        {
            exists = true;
            return ref _nodes[_slots[slot].IndexPlusOne - 1];
        }

        exists = false;
        if (Count == _nodes.Length)
        {
            Array.Resize(ref _nodes, _nodes.Length * 2);
            Array.Resize(ref _keyEnds, _keyEnds.Length * 2);
        }

        if (_charCount + key.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _charCount + key.Length));
        }

        key.CopyTo(_chars.AsSpan(_charCount));
        _charCount += key.Length;
        int index = Count++;
        _keyEnds[index] = _charCount;
        _slots[slot] = new Slot(hash, index + 1);
        if (SlotCountFor(Count) > _slots.Length)
        {
            Rehash(SlotCountFor(Count));
        }

        return ref _nodes[index];
    }

    /// <summary>Drops the room kept for more names (call once the table is complete).</summary>
    public void TrimExcess()
    {
        Array.Resize(ref _nodes, Count);
        Array.Resize(ref _keyEnds, Count);
        Array.Resize(ref _chars, _charCount);
    }

    private int Find(ReadOnlySpan<char> key, int hash)
    {
        var slots = _slots;
        int i = hash & _mask;
        while (true)
        {
            var slot = slots[i];
            if (slot.IndexPlusOne == 0 || (slot.Hash == hash && KeyAt(slot.IndexPlusOne - 1).SequenceEqual(key)))
            {
                return i;
            }

            i = (i + 1) & _mask;
        }
    }

    private ReadOnlySpan<char> KeyAt(int index)
    {
        int start = index == 0 ? 0 : _keyEnds[index - 1];
        return _chars.AsSpan(start, _keyEnds[index] - start);
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

    /// <summary>FNV-1a with a final mix. Keys come from zone files, not from clients, so a fixed hash is safe.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<char> key)
    {
        uint h = 2166136261;
        foreach (char c in key)
        {
            h = (h ^ c) * 16777619;
        }

        h ^= h >> 16;
        h *= 0x85EBCA6B;
        h ^= h >> 13;
        h *= 0xC2B2AE35;
        h ^= h >> 16;
        return (int)h;
    }

    private readonly record struct Slot(int Hash, int IndexPlusOne);
}
