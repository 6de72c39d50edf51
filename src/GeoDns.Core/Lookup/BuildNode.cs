using GeoDns.Core.Answers;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>A node while a zone is being compiled: its RRsets in the order they were written.</summary>
internal sealed class BuildNode(DnsName name)
{
    // Most names own one RRset: it is held directly, the list only exists for several.
    private List<ResourceRecord>? _first;
    private List<List<ResourceRecord>>? _more;

    public DnsName Name { get; } = name;

    public IDynamicAnswer? Pool { get; set; }

    public BuildNode? Cut { get; set; }

    public int SetCount => _first is null ? 0 : 1 + (_more?.Count ?? 0);

    public List<ResourceRecord> Set(int index) => index == 0 ? _first! : _more![index - 1];

    public IEnumerable<List<ResourceRecord>> Sets
    {
        get
        {
            for (int i = 0; i < SetCount; i++)
            {
                yield return Set(i);
            }
        }
    }

    public List<ResourceRecord>? Find(ushort type)
    {
        for (int i = 0; i < SetCount; i++)
        {
            var set = Set(i);
            if (set[0].Type == type)
            {
                return set;
            }
        }

        return null;
    }

    public void Add(ResourceRecord record)
    {
        var set = Find(record.Type);
        if (set is null)
        {
            set = new List<ResourceRecord>(1) { record };
            if (_first is null)
            {
                _first = set;
            }
            else
            {
                (_more ??= []).Add(set);
            }

            return;
        }

        if (set.Any(r => r.RData.AsSpan().SequenceEqual(record.RData)))
        {
            return; // RFC 2181 5: an RRset holds no duplicates
        }

        // RFC 2181 5.2: one TTL per RRset; the lowest wins.
        if (record.Ttl != set[0].Ttl)
        {
            uint ttl = Math.Min(record.Ttl, set[0].Ttl);
            for (int i = 0; i < set.Count; i++)
            {
                set[i] = set[i] with { Ttl = ttl };
            }

            record = record with { Ttl = ttl };
        }

        set.Add(record);
    }

    public bool HasData => _first is not null || Pool is not null;
}
