using GeoDns.Core.Answers;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>A node while a zone is being compiled: its RRsets in the order they were written.</summary>
internal sealed class BuildNode(DnsName name)
{
    // Each RRset is an exactly sized array (most hold one record); no lists. Names with one
    // plain record get no BuildNode at all (see ZoneCompiler.Add).
    private ResourceRecord[]? _first;
    private List<ResourceRecord[]>? _more;

    public DnsName Name { get; } = name;

    public IDynamicAnswer? Pool { get; set; }

    public BuildNode? Cut { get; set; }

    public int SetCount => _first is null ? 0 : 1 + (_more?.Count ?? 0);

    public ResourceRecord[] Set(int index) => index == 0 ? _first! : _more![index - 1];

    public ResourceRecord[]? Find(ushort type)
    {
        int index = IndexOf(type);
        return index < 0 ? null : Set(index);
    }

    public void Add(ResourceRecord record)
    {
        int index = IndexOf(record.Type);
        if (index < 0)
        {
            if (_first is null)
            {
                _first = [record];
            }
            else
            {
                (_more ??= []).Add([record]);
            }

            return;
        }

        var set = Set(index);
        foreach (var existing in set)
        {
            if (existing.RData.AsSpan().SequenceEqual(record.RData))
            {
                return; // RFC 2181 5: an RRset holds no duplicates
            }
        }

        // RFC 2181 5.2: one TTL per RRset; the lowest wins.
        if (record.Ttl != set[0].Ttl)
        {
            uint ttl = Math.Min(record.Ttl, set[0].Ttl);
            for (int i = 0; i < set.Length; i++)
            {
                set[i] = set[i] with { Ttl = ttl };
            }

            record = record with { Ttl = ttl };
        }

        // Grown one at a time: RRsets are small and the array stays exactly sized.
        var grown = new ResourceRecord[set.Length + 1];
        set.CopyTo(grown, 0);
        grown[^1] = record;
        if (index == 0)
        {
            _first = grown;
        }
        else
        {
            _more![index - 1] = grown;
        }
    }

    public bool HasData => _first is not null || Pool is not null;

    private int IndexOf(ushort type)
    {
        for (int i = 0; i < SetCount; i++)
        {
            if (Set(i)[0].Type == type)
            {
                return i;
            }
        }

        return -1;
    }
}
