using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>
/// A zone's names mapped to their nodes: a <see cref="NameIndex"/> and an array of nodes by
/// name index. Lookups allocate nothing; read by any number of threads once compiled.
/// </summary>
internal sealed class NodeTable
{
    private readonly NameIndex _names;
    private ZoneNode?[] _nodes;

    /// <param name="names">Names numbered by the loader (nodes are added for them by index), or null.</param>
    public NodeTable(NameIndex? names, int expectedNames = 0, int expectedKeyChars = 0)
    {
        _names = names ?? new NameIndex(expectedNames, expectedKeyChars);
        _nodes = new ZoneNode?[Math.Max(Math.Max(expectedNames, _names.Count), 4)];
    }

    /// <summary>Names numbered so far; a name may not have its node yet while compiling.</summary>
    public int Count => _names.Count;

    /// <summary>The node of the name numbered <paramref name="index"/>, if it has one.</summary>
    public ZoneNode? this[int index] => _nodes[index];

    public bool TryGetValue(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ZoneNode? node)
    {
        int index = _names.IndexOf(key);
        node = index < 0 ? null : _nodes[index];
        return node is not null;
    }

    public bool ContainsKey(ReadOnlySpan<char> key) => TryGetValue(key, out _);

    /// <summary>The node slot of the name numbered <paramref name="index"/> (valid until the next add).</summary>
    public ref ZoneNode? SlotAt(int index) => ref _nodes[index];

    /// <summary>The node slot of <paramref name="key"/>, numbering the name when new (valid until the next add).</summary>
    public ref ZoneNode? SlotFor(ReadOnlySpan<char> key)
    {
        int index = _names.Add(key, out _);
        if (index >= _nodes.Length)
        {
            Array.Resize(ref _nodes, Math.Max(_nodes.Length * 2, index + 1));
        }

        return ref _nodes[index];
    }

    /// <summary>Gives back room kept for more names (call once the table is complete).</summary>
    public void TrimExcess()
    {
        _names.TrimExcess();
        if (_nodes.Length > Count + (Count / 4))
        {
            Array.Resize(ref _nodes, Count);
        }
    }
}
