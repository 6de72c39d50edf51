using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;

namespace GeoDns.Core.Lookup;

/// <summary>
/// Turns a zone's records into a <see cref="Zone"/> of prepared replies. Runs off the query
/// path, on every load and reload (health changes rebuild nothing).
/// </summary>
public sealed partial class ZoneCompiler
{
    private const int MaxChainLength = 16;

    private readonly DnsName _apex;
    // The served zone's own table, filled as names are added: a million-name zone is hashed
    // once. Each node carries its build state until Compile() completes it.
    private readonly NodeTable _nodes;
    private readonly List<BuildNode> _cuts = [];
    private readonly BodyBuilder _builder;
    private readonly BodyArena _arena = new();
    private readonly BodyBuilder _chainBuilder;
    private readonly BodyBuilder _noDataBuilder;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<ushort> _chainTypes = [];
    private readonly ResourceRecord _soa;
    private readonly ResourceRecord _negativeSoa;
    private readonly Dictionary<string, ushort[]> _typeArrays = new(StringComparer.Ordinal);
    private int _recordCount;
    private bool _hasWildcards;
    private DnsName? _lastName;
    private BuildNode? _lastNode;

    public ZoneCompiler(DnsName apex, ResourceRecord soa, int expectedNames = 0)
    {
        // Names right below the apex: the apex's key plus a label of a few characters.
        _nodes = new NodeTable(expectedNames, expectedNames * (apex.Key.Length + 8));
        _apex = apex;
        _soa = soa;
        uint minimum = DnsWire.ReadUInt32(soa.RData, soa.RData.Length - 4);
        _negativeSoa = soa with { Ttl = Math.Min(soa.Ttl, minimum) };
        // One builder per role, reused for every node: chains nest one no-data reply inside.
        _builder = new BodyBuilder(apex, TemplateMode.Exact, _arena);
        _chainBuilder = new BodyBuilder(apex, TemplateMode.Exact, _arena);
        _noDataBuilder = new BodyBuilder(apex, TemplateMode.Exact, _arena);
        GetOrAdd(apex);
    }

    public void Add(ResourceRecord record)
    {
        var node = GetOrAdd(record.Owner);
        if (record.Type == RecordType.NS && node.Name.LabelCount > _apex.LabelCount && node.Find(RecordType.NS) is null)
        {
            _cuts.Add(node);
        }

        node.Add(record);
        _recordCount++;
    }

    public void AddPool(DnsName owner, IDynamicAnswer pool)
    {
        GetOrAdd(owner).Pool = pool;
    }

    public Zone Compile()
    {
        var nxDomain = NegativeAnswer(ResponseCode.NxDomain);
        var noData = NegativeAnswer(ResponseCode.NoError);
        MarkCuts();

        var referrals = new Dictionary<BuildNode, PreparedAnswer>();
        for (int i = 0; i < _nodes.Count; i++)
        {
            var zoneNode = _nodes[i];
            var node = zoneNode.Build!;
            var mode = node.Name.IsWildcard ? TemplateMode.Wildcard : TemplateMode.Exact;
            CompileNode(zoneNode, node, mode, noData);
            if (node.Cut is { } cut)
            {
                if (!referrals.TryGetValue(cut, out var referral))
                {
                    referral = Referral(cut);
                    referrals.Add(cut, referral);
                }

                zoneNode.Referral = referral;
                zoneNode.IsCut = ReferenceEquals(cut, node);
            }
        }

        for (int i = 0; i < _nodes.Count; i++)
        {
            var zoneNode = _nodes[i];
            var name = zoneNode.Build!.Name;
            if (_hasWildcards && name.IsWildcard && _nodes.TryGetValue(name.Key.AsSpan(name.Key[0] + 1), out var parent))
            {
                parent.Wildcard = zoneNode;
            }

            zoneNode.Build = null;
        }

        _nodes.TrimExcess();
        uint serial = DnsWire.ReadUInt32(_soa.RData, _soa.RData.Length - 20);
        return new Zone(_apex, serial, _recordCount, _nodes, nxDomain, noData);
    }

    private BuildNode GetOrAdd(DnsName name)
    {
        // The loader hands an owner's records over one after another with one DnsName.
        if (ReferenceEquals(name, _lastName))
        {
            return _lastNode!;
        }

        // One hash lookup finds or adds.
        ref var slot = ref _nodes.GetValueRefOrAddDefault(name.Key, out bool exists);
        if (exists)
        {
            _lastName = name;
            return _lastNode = slot.Build!;
        }

        var node = new BuildNode(name);
        slot = new ZoneNode(node);
        _hasWildcards |= name.IsWildcard;
        _lastName = name;
        _lastNode = node;

        // Empty non-terminals exist (RFC 4592 2.2.2): add every missing ancestor up to the apex.
        // The parent is looked up by a slice of the key (a name right below the apex skips it).
        if (name.LabelCount > _apex.LabelCount + 1 && !_nodes.ContainsKey(name.Key.AsSpan(name.Key[0] + 1)))
        {
            GetOrAdd(name.Parent());
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
            var node = _nodes[i].Build!;
            var key = node.Name.Key.AsSpan();
            for (int labels = node.Name.LabelCount; labels > _apex.LabelCount; labels--)
            {
                if (TryGetBuild(key, out var ancestor) && ancestor.Find(RecordType.NS) is not null)
                {
                    node.Cut = ancestor; // keep going: the topmost cut wins
                }

                key = key[(key[0] + 1)..];
            }
        }
    }

    private void CompileNode(ZoneNode served, BuildNode node, TemplateMode mode, PreparedAnswer noData)
    {
        if (!node.HasData)
        {
            served.Complete([], null, null, noData, null);
            return;
        }

        // The common case, one RRset and nothing else: no lists.
        if (node.Pool is null && node.SetCount == 1 && node.Set(0)[0].Type != RecordType.CNAME)
        {
            var set = node.Set(0);
            ReadOnlySpan<ushort> type = [set[0].Type];
            served.Complete(SharedTypes(type), DataAnswer(node, set, mode), null, noData, null);
            return;
        }

        var types = new List<ushort>();
        var answers = new List<PreparedAnswer>();
        PreparedAnswer other;
        if (node.Pool is { } pool)
        {
            var builder = new BodyBuilder(node.Name, mode);
            types.Add(pool.Type);
            answers.Add(builder.Build(true, ResponseCode.NoError, dynamic: pool,
                dynamicOwnerOffset: DnsWire.HeaderLength, dynamicEmpty: noData));
            // A CNAME pool answers every type with its CNAME (RFC 1034 3.6.2), like a static CNAME.
            other = pool.Type == RecordType.CNAME ? answers[0] : noData;
            Complete(served, types, answers, other, null);
            return;
        }

        if (node.Find(RecordType.CNAME) is { } cname)
        {
            var final = FinalNode(node);
            var chainTypes = _chainTypes;
            chainTypes.Clear();
            if (final is not null)
            {
                for (int i = 0; i < final.SetCount; i++)
                {
                    chainTypes.Add(final.Set(i)[0].Type);
                }

                if (final.Pool is not null)
                {
                    chainTypes.Add(final.Pool.Type);
                }
            }

            // The CNAME itself comes first: it is also the answer to ANY.
            types.Add(RecordType.CNAME);
            answers.Add(DataAnswer(node, cname, mode));
            chainTypes.Remove(RecordType.CNAME);
            foreach (var type in chainTypes)
            {
                types.Add(type);
                answers.Add(Chain(node, cname[0], type, mode));
            }

            other = Chain(node, cname[0], 0, mode);
            Complete(served, types, answers, other, null);
            return;
        }

        for (int i = 0; i < node.SetCount; i++)
        {
            var set = node.Set(i);
            types.Add(set[0].Type);
            answers.Add(DataAnswer(node, set, mode));
        }

        var anyTcp = answers[0];
        if (node.SetCount > 1)
        {
            var builder = new BodyBuilder(node.Name, mode);
            for (int i = 0; i < node.SetCount; i++)
            {
                foreach (var record in node.Set(i))
                {
                    builder.AddOwnedByQuestion(record);
                }
            }

            anyTcp = builder.Build(true, ResponseCode.NoError);
        }

        Complete(served, types, answers, noData, anyTcp);
    }

    private void Complete(ZoneNode served, List<ushort> types, List<PreparedAnswer> answers, PreparedAnswer other, PreparedAnswer? anyTcp) =>
        served.Complete(SharedTypes(types), answers[0], answers.Count > 1 ? answers.GetRange(1, answers.Count - 1).ToArray() : null, other, anyTcp);

    private bool TryGetBuild(ReadOnlySpan<char> key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BuildNode? node)
    {
        node = _nodes.TryGetValue(key, out var served) ? served.Build : null;
        return node is not null;
    }

    /// <summary>
    /// One array per distinct list of types (nodes never change them): a large zone has few
    /// distinct lists, so this saves an object per name.
    /// </summary>
    private ushort[] SharedTypes(List<ushort> types) => SharedTypes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(types));

    private ushort[] SharedTypes(ReadOnlySpan<ushort> types)
    {
        Span<char> key = stackalloc char[types.Length];
        for (int i = 0; i < types.Length; i++)
        {
            key[i] = (char)types[i];
        }

        var lookup = _typeArrays.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(key, out var shared))
        {
            shared = types.ToArray();
            _typeArrays.Add(new string(key), shared);
        }

        return shared;
    }

    private PreparedAnswer DataAnswer(BuildNode node, ResourceRecord[] set, TemplateMode mode)
    {
        var builder = _builder;
        builder.Reset(node.Name, mode);
        foreach (var record in set)
        {
            builder.AddOwnedByQuestion(record);
        }

        builder.StartSection(Section.Additional);
        AddAddressesOfTargets(builder, set);
        return builder.Build(true, ResponseCode.NoError);
    }

    private PreparedAnswer NegativeAnswer(int rcode)
    {
        var builder = new BodyBuilder(_apex, TemplateMode.Suffix);
        builder.StartSection(Section.Authority);
        builder.Add(_negativeSoa);
        return builder.Build(true, rcode);
    }

    private PreparedAnswer Referral(BuildNode cut)
    {
        var builder = new BodyBuilder(cut.Name, TemplateMode.Suffix);
        builder.StartSection(Section.Authority);
        var ns = cut.Find(RecordType.NS)!;
        foreach (var record in ns)
        {
            builder.Add(record);
        }

        builder.StartSection(Section.Additional);
        bool inDomainGlue = AddAddressesOfTargets(builder, ns, cut.Name);
        return builder.Build(false, ResponseCode.NoError, additionalRequired: inDomainGlue);
    }

    /// <summary>Adds A/AAAA of in-zone NS, MX and SRV targets; says whether any is below <paramref name="cut"/>.</summary>
    private bool AddAddressesOfTargets(BodyBuilder builder, ResourceRecord[] set, DnsName? cut = null)
    {
        bool below = false;
        foreach (var record in set)
        {
            int nameAt = record.Type switch
            {
                RecordType.NS => 0,
                RecordType.MX => 2,
                RecordType.SRV => 6,
                _ => -1,
            };
            if (nameAt < 0)
            {
                return below;
            }

            var target = DnsName.FromWire(record.RData.AsSpan(nameAt));
            if (!target.IsSubdomainOf(_apex) || !TryGetBuild(target.Key, out var node))
            {
                continue;
            }

            foreach (var type in (ReadOnlySpan<ushort>)[RecordType.A, RecordType.AAAA])
            {
                if (node.Find(type) is { } addresses)
                {
                    foreach (var address in addresses)
                    {
                        builder.Add(address);
                    }

                    below |= cut is not null && target.IsSubdomainOf(cut);
                }
            }
        }

        return below;
    }
}
