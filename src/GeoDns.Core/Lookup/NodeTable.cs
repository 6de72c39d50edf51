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

    /// <summary>The number of <paramref name="key"/>, or -1 when it has none.</summary>
    public int IndexOf(ReadOnlySpan<char> key) => _names.IndexOf(key);

    /// <summary>The number of <paramref name="key"/>, given the next one when new.</summary>
    public int Number(ReadOnlySpan<char> key)
    {
        int index = _names.Add(key, out _);
        if (index >= _nodes.Length)
        {
            Array.Resize(ref _nodes, Math.Max(_nodes.Length * 2, index + 1));
        }

        return index;
    }

    /// <summary>Gives the name numbered <paramref name="index"/> its node (while compiling).</summary>
    public void Set(int index, ZoneNode node) => _nodes[index] = node;

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
