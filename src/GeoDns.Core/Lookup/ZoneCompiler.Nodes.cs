using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>The compiler's nodes while a zone is built: finding, adding and promoting them, and zone cuts.</summary>
public sealed partial class ZoneCompiler
{
    /// <summary>The node of <paramref name="name"/>; a new one starts with <paramref name="single"/> as its only record.</summary>
    private ZoneNode NodeFor(DnsName name, ResourceRecord? single, int number, out bool created)
    {
        created = false;

        // The loader hands an owner's records over one after another with one DnsName.
        if (ReferenceEquals(name, _lastName))
        {
            return _lastNode!;
        }

        // A name the loader numbered costs no hashing; any other is found or added with one probe.
        ref var slot = ref number >= 0 ? ref _nodes.SlotAt(number) : ref _nodes.SlotFor(name.Key);
        _lastName = name;
        if (slot is not null)
        {
            return _lastNode = slot;
        }

        var node = new ZoneNode(single ?? (object)new BuildNode(name));
        slot = node;
        created = true;
        _hasWildcards |= name.IsWildcard;
        _lastNode = node;

        // Empty non-terminals exist (RFC 4592 2.2.2): add every missing ancestor up to the apex.
        // The parent is looked up by a slice of the key (a name right below the apex skips it).
        if (name.LabelCount > _apex.LabelCount + 1 && !_nodes.ContainsKey(name.Key.AsSpan(name.Key[0] + 1)))
        {
            NodeFor(name.Parent(), null, -1, out _);
            _lastName = name;
            _lastNode = node;
        }

        return node;
    }

    private void MarkCuts()
    {
        if (_cuts.Count == 0)
        {
            return;
        }

        for (int i = 0; i < _nodes.Count; i++)
        {
            if (_nodes[i] is not { } served)
            {
                continue;
            }

            var name = NameOf(served.Build!);
            var key = name.Key.AsSpan();
            for (int labels = name.LabelCount; labels > _apex.LabelCount; labels--)
            {
                // NS owners always have a BuildNode: a single record stays unpromoted here.
                if (_nodes.TryGetValue(key, out var candidate) && candidate.Build is BuildNode ancestor && ancestor.Find(RecordType.NS) is not null)
                {
                    Promote(served).Cut = ancestor; // keep going: the topmost cut wins
                }

                key = key[(key[0] + 1)..];
            }
        }
    }

    /// <summary>The build state of the node at <paramref name="key"/>, promoted to a BuildNode.</summary>
    private bool TryGetBuild(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BuildNode? node)
    {
        node = _nodes.TryGetValue(key, out var served) && served.Build is not null ? Promote(served) : null;
        return node is not null;
    }

    private static BuildNode Promote(ZoneNode served)
    {
        if (served.Build is BuildNode node)
        {
            return node;
        }

        var record = (ResourceRecord)served.Build!;
        node = new BuildNode(record.Owner);
        node.Add(record);
        served.Build = node;
        return node;
    }

    private static DnsName NameOf(object build) => build is ResourceRecord record ? record.Owner : ((BuildNode)build).Name;
}
