using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>The compiler's nodes while a zone is built: finding, adding and promoting them, and zone cuts.</summary>
public sealed partial class ZoneCompiler
{
    /// <summary>
    /// The number of <paramref name="name"/>'s node; a new one starts with <paramref name="single"/>
    /// as its only record.
    /// </summary>
    private int NodeFor(DnsName name, ResourceRecord? single, int number, out bool created)
    {
        created = false;

        // The loader hands an owner's records over one after another with one DnsName.
        if (ReferenceEquals(name, _lastName))
        {
            return _lastIndex;
        }

        // A name the loader numbered costs no hashing; any other is found or added with one probe.
        int index = number >= 0 ? number : Number(name.Key);
        _lastName = name;
        _lastIndex = index;
        if (_builds[index] is not null)
        {
            return index;
        }

        _builds[index] = single ?? (object)new BuildNode(name);
        created = true;
        _hasWildcards |= name.IsWildcard;

        // Empty non-terminals exist (RFC 4592 2.2.2): add every missing ancestor up to the apex.
        // The parent is looked up by a slice of the key (a name right below the apex skips it).
        if (name.LabelCount > _apex.LabelCount + 1 && BuildAt(name.Key.AsSpan(name.Key[0] + 1)) is null)
        {
            NodeFor(name.Parent(), null, -1, out _);
            _lastName = name;
            _lastIndex = index;
        }

        return index;
    }

    private int Number(ReadOnlySpan<char> key)
    {
        int index = _nodes.Number(key);
        if (index >= _builds.Length)
        {
            Array.Resize(ref _builds, Math.Max(_builds.Length * 2, index + 1));
        }

        return index;
    }

    /// <summary>The build state (a single ResourceRecord or a BuildNode) of <paramref name="key"/>, if it has a node.</summary>
    private object? BuildAt(ReadOnlySpan<char> key)
    {
        int index = _nodes.IndexOf(key);
        return index < 0 ? null : _builds[index];
    }

    private void MarkCuts()
    {
        if (_cuts.Count == 0)
        {
            return;
        }

        for (int i = 0; i < _nodes.Count; i++)
        {
            if (_builds[i] is not { } build)
            {
                continue;
            }

            var name = NameOf(build);
            var key = name.Key.AsSpan();
            for (int labels = name.LabelCount; labels > _apex.LabelCount; labels--)
            {
                // NS owners always have a BuildNode: a single record stays unpromoted here.
                if (BuildAt(key) is BuildNode ancestor && ancestor.Find(RecordType.NS) is not null)
                {
                    Promote(i).Cut = ancestor; // keep going: the topmost cut wins
                }

                key = key[(key[0] + 1)..];
            }
        }
    }

    /// <summary>The build state of the node at <paramref name="key"/>, promoted to a BuildNode.</summary>
    private bool TryGetBuild(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BuildNode? node)
    {
        int index = _nodes.IndexOf(key);
        node = index >= 0 && _builds[index] is not null ? Promote(index) : null;
        return node is not null;
    }

    private BuildNode Promote(int index)
    {
        ref var build = ref _builds[index];
        if (build is BuildNode node)
        {
            return node;
        }

        var record = (ResourceRecord)build!;
        node = new BuildNode(record.Owner);
        node.Add(record);
        build = node;
        return node;
    }

    private static DnsName NameOf(object build) => build is ResourceRecord record ? record.Owner : ((BuildNode)build).Name;
}
