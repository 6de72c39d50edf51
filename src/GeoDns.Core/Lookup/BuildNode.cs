using GeoDns.Core.Answers;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Lookup;

/// <summary>A node while a zone is being compiled: its RRsets in the order they were written.</summary>
internal sealed class BuildNode(DnsName name)
{
    public DnsName Name { get; } = name;

    public List<List<ResourceRecord>> Sets { get; } = [];

    public IDynamicAnswer? Pool { get; set; }

    public BuildNode? Cut { get; set; }

    public List<ResourceRecord>? Find(ushort type)
    {
        foreach (var set in Sets)
        {
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
            Sets.Add([record]);
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

    public bool HasData => Sets.Count > 0 || Pool is not null;
}
