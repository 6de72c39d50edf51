using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones.RData;

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
    // once. Each name's build state (its only record, or a BuildNode) is kept by its number
    // until Compile() makes its node.
    private readonly NodeTable _nodes;
    private object?[] _builds;
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
    private ushort[]? _singleTypes;
    private DnsName? _lastName;
    private int _lastIndex;

    public ZoneCompiler(DnsName apex, ResourceRecord soa, int expectedNames = 0)
        : this(apex, soa, expectedNames, null)
    {
    }

    /// <param name="owners">
    /// The loader's numbering of the owner names, used by <see cref="Add(ResourceRecord, int)"/>
    /// and kept (with names added) as the served zone's table; null to number names here.
    /// </param>
    internal ZoneCompiler(DnsName apex, ResourceRecord soa, int expectedNames, NameIndex? owners)
    {
        // Names right below the apex: the apex's key plus a label of a few characters.
        _nodes = new NodeTable(owners, expectedNames, expectedNames * (apex.Key.Length + 8));
        _builds = new object?[Math.Max(Math.Max(expectedNames, _nodes.Count), 4)];
        _apex = apex;
        _soa = soa;
        uint minimum = DnsWire.ReadUInt32(soa.RData, soa.RData.Length - 4);
        _negativeSoa = soa with { Ttl = Math.Min(soa.Ttl, minimum) };
        // One builder per role, reused for every node: chains nest one no-data reply inside.
        _builder = new BodyBuilder(apex, TemplateMode.Exact, _arena);
        _chainBuilder = new BodyBuilder(apex, TemplateMode.Exact, _arena);
        _noDataBuilder = new BodyBuilder(apex, TemplateMode.Exact, _arena);
        NodeFor(apex, null, -1, out _);
    }

    public void Add(ResourceRecord record) => Add(record, -1);

    /// <param name="owner">The owner's number in the names given to the constructor, or -1.</param>
    internal void Add(ResourceRecord record, int owner)
    {
        _recordCount++;

        // Most names of a large zone own one record: the node then keeps that record as its
        // build state, with no BuildNode and no arrays (NS and CNAME owners get the full form).
        bool plain = record.Type is not (RecordType.NS or RecordType.CNAME);
        int index = NodeFor(record.Owner, plain ? record : null, owner, out bool created);
        if (created && plain)
        {
            return;
        }

        var node = Promote(index);
        if (record.Type == RecordType.NS && node.Name.LabelCount > _apex.LabelCount && node.Find(RecordType.NS) is null)
        {
            _cuts.Add(node);
        }

        node.Add(record);
    }

    public void AddPool(DnsName owner, IDynamicAnswer pool)
    {
        Promote(NodeFor(owner, null, -1, out _)).Pool = pool;
    }

    public Zone Compile()
    {
        var nxDomain = NegativeAnswer(ResponseCode.NxDomain);
        var noData = NegativeAnswer(ResponseCode.NoError);
        MarkCuts();

        var referrals = new Dictionary<BuildNode, PreparedAnswer>();
        int plainSingles = 0;
        for (int i = 0; i < _nodes.Count; i++)
        {
            if (_builds[i] is not { } build)
            {
                continue; // numbered but given no node (cannot happen for a validated zone file)
            }

            if (build is ResourceRecord single)
            {
                if (BodyBuilder.IsPlainData(single.Type))
                {
                    // Compiled below, on every core; their types' shared arrays are made here.
                    plainSingles++;
                    SingleTypes(single.Type);
                    continue;
                }

                _nodes.Set(i, CompileSingle(single, noData));
                continue;
            }

            var node = (BuildNode)build;
            var mode = node.Name.IsWildcard ? TemplateMode.Wildcard : TemplateMode.Exact;
            var zoneNode = CompileNode(node, mode, noData);
            _nodes.Set(i, zoneNode);
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

        CompilePlainSingles(plainSingles, noData);

        for (int i = 0; _hasWildcards && i < _nodes.Count; i++)
        {
            if (_builds[i] is { } build && NameOf(build) is { IsWildcard: true } name &&
                _nodes.TryGetValue(name.Key.AsSpan(name.Key[0] + 1), out var parent))
            {
                parent.Wildcard = _nodes[i];
            }
        }

        _builds = [];

        _nodes.TrimExcess();
        uint serial = DnsWire.ReadUInt32(_soa.RData, _soa.RData.Length - 20);
        return new Zone(_apex, serial, _recordCount, _nodes, nxDomain);
    }

    private ZoneNode CompileSingle(ResourceRecord single, PreparedAnswer noData)
    {
        var mode = single.Owner.IsWildcard ? TemplateMode.Wildcard : TemplateMode.Exact;
        var answer = DataAnswer(single.Owner, new ReadOnlySpan<ResourceRecord>(in single), mode);
        return new ZoneNode(SingleTypes(single.Type), answer, null, noData, null);
    }

    /// <summary>
    /// The shared one-type list of <paramref name="type"/>, made earlier by <see cref="SingleTypes"/>:
    /// a read only, so threads compiling at once may call it.
    /// </summary>
    private ushort[] MadeSingleTypes(ushort type)
    {
        ReadOnlySpan<char> key = [(char)type];
        return _typeArrays.GetAlternateLookup<ReadOnlySpan<char>>()[key];
    }

    /// <summary>The shared one-type list of <paramref name="type"/>.</summary>
    private ushort[] SingleTypes(ushort type)
    {
        if (_singleTypes is null || _singleTypes[0] != type)
        {
            ReadOnlySpan<ushort> types = [type];
            _singleTypes = SharedTypes(types); // runs of one type are common: skip the lookup
        }

        return _singleTypes;
    }

    private ZoneNode CompileNode(BuildNode node, TemplateMode mode, PreparedAnswer noData)
    {
        if (!node.HasData)
        {
            return new ZoneNode([], null, null, noData, null);
        }

        // The common case, one RRset and nothing else: no lists.
        if (node.Pool is null && node.SetCount == 1 && node.Set(0)[0].Type != RecordType.CNAME)
        {
            var set = node.Set(0);
            ReadOnlySpan<ushort> type = [set[0].Type];
            return new ZoneNode(SharedTypes(type), DataAnswer(node.Name, set, mode), null, noData, null);
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
            return Complete(types, answers, other, null);
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
            answers.Add(DataAnswer(node.Name, cname, mode));
            chainTypes.Remove(RecordType.CNAME);
            foreach (var type in chainTypes)
            {
                types.Add(type);
                answers.Add(Chain(node, cname[0], type, mode));
            }

            other = Chain(node, cname[0], 0, mode);
            return Complete(types, answers, other, null);
        }

        for (int i = 0; i < node.SetCount; i++)
        {
            var set = node.Set(i);
            types.Add(set[0].Type);
            answers.Add(DataAnswer(node.Name, set, mode));
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

        return Complete(types, answers, noData, anyTcp);
    }

    private ZoneNode Complete(List<ushort> types, List<PreparedAnswer> answers, PreparedAnswer other, PreparedAnswer? anyTcp) =>
        new(SharedTypes(types), answers[0], answers.Count > 1 ? answers.GetRange(1, answers.Count - 1).ToArray() : null, other, anyTcp);

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

    private PreparedAnswer DataAnswer(DnsName owner, ReadOnlySpan<ResourceRecord> set, TemplateMode mode)
    {
        var builder = _builder;
        builder.Reset(owner, mode);
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

    /// <summary>
    /// Adds A/AAAA of in-zone targets of the types that call for them (<see cref="RecordTypeInfo.AddsTargetAddresses"/>:
    /// NS, MX, SRV); says whether any is below <paramref name="cut"/>.
    /// </summary>
    private bool AddAddressesOfTargets(BodyBuilder builder, ReadOnlySpan<ResourceRecord> set, DnsName? cut = null)
    {
        bool below = false;
        foreach (var record in set)
        {
            var info = RecordTypes.Find(record.Type);
            if (info is not { AddsTargetAddresses: true })
            {
                return below;
            }

            var target = DnsName.FromWire(record.RData.AsSpan(info.Names.Offset));
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
