using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;

namespace GeoDns.Core.Lookup;

/// <summary>CNAME chains followed at build time (RFC 1034 3.6.2), and the build-time lookup they use.</summary>
public sealed partial class ZoneCompiler
{
    /// <summary>RFC 1034 3.6.2: follow CNAMEs inside the zone and answer with the whole chain.</summary>
    private PreparedAnswer Chain(BuildNode start, ResourceRecord cname, ushort type, TemplateMode mode)
    {
        var builder = _chainBuilder;
        builder.Reset(start.Name, mode);
        builder.AddOwnedByQuestion(cname);
        int targetOffset = builder.LastRDataNameOffset;
        var target = DnsName.FromWire(cname.RData);
        var seen = _seen;
        seen.Clear();
        seen.Add(start.Name.Key);
        for (int step = 0; step < MaxChainLength && seen.Add(target.Key); step++)
        {
            if (!target.IsSubdomainOf(_apex))
            {
                break;
            }

            var (found, synthesised) = Find(target);
            if (found is null)
            {
                builder.StartSection(Section.Authority);
                builder.Add(_negativeSoa);
                return builder.Build(true, ResponseCode.NxDomain);
            }

            if (found.Cut is not null)
            {
                break;
            }

            if (found.Pool is { } pool)
            {
                if (pool.Type == type || pool.Type == RecordType.CNAME)
                {
                    var empty = NoDataAfter(start, cname, mode);
                    return builder.Build(true, ResponseCode.NoError, dynamic: pool, dynamicOwnerOffset: targetOffset, dynamicEmpty: empty);
                }

                // The pool answers another type: NODATA at its name, with the SOA (RFC 2308 2.2).
                builder.StartSection(Section.Authority);
                builder.Add(_negativeSoa);
                return builder.Build(true, ResponseCode.NoError);
            }

            var owner = synthesised ? target : found.Name;
            if (found.Find(RecordType.CNAME) is { } next)
            {
                builder.Add(owner, next[0]);
                targetOffset = builder.LastRDataNameOffset;
                target = DnsName.FromWire(next[0].RData);
                continue;
            }

            if (found.Find(type) is { } set)
            {
                foreach (var record in set)
                {
                    builder.Add(owner, record);
                }

                return builder.Build(true, ResponseCode.NoError);
            }

            builder.StartSection(Section.Authority);
            builder.Add(_negativeSoa);
            return builder.Build(true, ResponseCode.NoError);
        }

        return builder.Build(true, ResponseCode.NoError);
    }

    /// <summary>The chain so far followed by NODATA: sent when a pool at its end answers nothing.</summary>
    private PreparedAnswer NoDataAfter(BuildNode start, ResourceRecord cname, TemplateMode mode)
    {
        var builder = _noDataBuilder;
        builder.Reset(start.Name, mode);
        builder.AddOwnedByQuestion(cname);
        var target = DnsName.FromWire(cname.RData);
        for (int step = 0; step < MaxChainLength; step++)
        {
            var (found, synthesised) = Find(target);
            if (found?.Find(RecordType.CNAME) is not { } next)
            {
                break;
            }

            builder.Add(synthesised ? target : found.Name, next[0]);
            target = DnsName.FromWire(next[0].RData);
        }

        builder.StartSection(Section.Authority);
        builder.Add(_negativeSoa);
        return builder.Build(true, ResponseCode.NoError);
    }

    private BuildNode? FinalNode(BuildNode start)
    {
        var node = start;
        var seen = _seen;
        seen.Clear();
        while (seen.Add(node.Name.Key) && node.Find(RecordType.CNAME) is { } cname)
        {
            var target = DnsName.FromWire(cname[0].RData);
            if (!target.IsSubdomainOf(_apex))
            {
                return null;
            }

            var (found, _) = Find(target);
            if (found is null || found.Cut is not null)
            {
                return null;
            }

            node = found;
        }

        return node;
    }

    /// <summary>Build-time lookup: the node for a name, or the wildcard that covers it.</summary>
    private (BuildNode? Node, bool Synthesised) Find(DnsName name)
    {
        if (TryGetBuild(name.Key, out var node))
        {
            return (node.HasData || !node.Name.IsWildcard ? node : null, false);
        }

        for (var encloser = name.Parent(); encloser.LabelCount >= _apex.LabelCount; encloser = encloser.Parent())
        {
            if (!TryGetBuild(encloser.Key, out var found))
            {
                continue;
            }

            if (found.Cut is not null)
            {
                return (found, false);
            }

            return TryGetBuild(encloser.Prepend("*").Key, out var wildcard) ? (wildcard, true) : (null, false);
        }

        return (null, false);
    }
}
