using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Settings;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Traffic;

/// <summary>
/// Turns the pools and regions a zone file declares into <see cref="PoolAnswer"/>s for
/// the zone compiler. Runs off the query path (load, reload); the members' health
/// slots come from the <see cref="HealthBoard"/> so verdicts survive reloads.
/// </summary>
public sealed class TrafficCompiler
{
    private readonly HealthBoard _board;
    private readonly PolicyRegistry _policies;

    public TrafficCompiler(HealthBoard board, PolicyRegistry policies, IClientLocator? locator = null, IRandomSource? random = null)
    {
        _board = board;
        Locator = locator ?? NoLocator.Instance;
        _policies = policies;
        Random = random ?? SharedRandomSource.Instance;
    }

    public IClientLocator Locator { get; }

    public IRandomSource Random { get; }

    /// <summary>The health key of a member: the pool owner as text and the member's target as written.</summary>
    public static MemberKey KeyOf(PoolDefinition pool, MemberDefinition member) => new(pool.Owner.ToString(), member.Target);

    /// <summary>Every member key the files declare (for <see cref="HealthBoard.Retain"/> after a reload).</summary>
    public static IReadOnlySet<MemberKey> KeysOf(IEnumerable<ZoneFile> files) =>
        files.SelectMany(f => f.Pools).SelectMany(p => p.Members.Select(m => KeyOf(p, m))).ToHashSet();

    public IDynamicAnswer Compile(PoolDefinition pool, IReadOnlyList<RegionDefinition> regions) =>
        new PoolAnswer(BuildModel(pool, regions), Locator, Random);

    public PoolModel BuildModel(PoolDefinition pool, IReadOnlyList<RegionDefinition> regions)
    {
        if (pool.Members.Count is 0 or > PoolModel.MaxMembers)
        {
            throw new InvalidOperationException($"{pool.Location}: pool {pool.Owner} needs 1 to {PoolModel.MaxMembers} members, has {pool.Members.Count}");
        }

        var policy = _policies.Get(pool.Policy);

        var regionModels = BuildRegions(pool, regions, out var regionIndex);
        var members = new MemberModel[pool.Members.Count];
        for (int i = 0; i < members.Length; i++)
        {
            var m = pool.Members[i];
            var slot = _board.Member(KeyOf(pool, m), m.Region);
            if (slot.Region != m.Region)
            {
                slot.Region = m.Region;
                slot.Recompute();
            }

            members[i] = new MemberModel
            {
                Index = i,
                Target = m.Target,
                RData = m.RData,
                Region = regionIndex[m.Region],
                RegionName = m.Region,
                Weight = Math.Max(0, m.Weight),
                Priority = m.Priority,
                Enabled = m.Enabled,
                Slot = slot,
                Seed = WeightedChoice.SeedOf(m.RData),
            };
        }

        var fallback = _policies.Get(pool.Fallback ?? "failover");
        if (!fallback.CanBeFallback)
        {
            fallback = _policies.Get("failover");
        }

        var (ifAllDown, ifAllDownPolicy) = pool.IfAllDown switch
        {
            "all" or "" => (AllDownMode.All, _policies.Get("failover")), // every enabled member, in failover order
            "none" => (AllDownMode.None, null),
            var name => (AllDownMode.Policy, _policies.Get(name)),
        };

        return new PoolModel
        {
            Owner = pool.Owner,
            Name = pool.Owner.ToString(),
            Type = pool.Type,
            Ttl = pool.Ttl,
            Members = members,
            Regions = regionModels,
            FailoverOrder = [.. members.OrderBy(m => m.Priority ?? int.MaxValue).ThenBy(m => m.Index).Select(m => m.Index)],
            Matcher = new RegionMatcher(regionModels),
            Policy = policy,
            Fallback = fallback,
            IfAllDown = ifAllDown,
            IfAllDownPolicy = ifAllDownPolicy,
            MaxAnswers = pool.Type == RecordType.CNAME ? 1 : Math.Max(1, pool.MaxAnswers),
            StickySubnet = pool.StickySubnet,
            PolicyState = policy.Prepare(policy.Settings.Read(OwnKeys(pool.Settings, policy.Settings))),
            Slot = _board.Pool(pool.Owner.ToString()),
        };
    }

    private static Dictionary<string, string> OwnKeys(IReadOnlyDictionary<string, string> settings, SettingsSchema schema) =>
        settings.Where(kv => schema.Contains(kv.Key)).ToDictionary(StringComparer.Ordinal);

    /// <summary>The regions this pool's members are in, in the order the zone declares them.</summary>
    private static RegionModel[] BuildRegions(PoolDefinition pool, IReadOnlyList<RegionDefinition> regions, out Dictionary<string, int> index)
    {
        var used = pool.Members.Select(m => m.Region).ToHashSet(StringComparer.Ordinal);
        var declared = regions.Where(r => used.Contains(r.Name)).ToList();
        foreach (string missing in used.Where(name => declared.All(r => r.Name != name)).Order(StringComparer.Ordinal))
        {
            // The parser rejects undeclared regions; a hand-built definition gets an empty one.
            declared.Add(new RegionDefinition(missing, [], [], [], [], null, null, pool.Location));
        }

        var result = new RegionModel[declared.Count];
        index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < declared.Count; i++)
        {
            string name = declared[i].Name;
            index[name] = i;
            result[i] = new RegionModel
            {
                Index = i,
                Name = name,
                Definition = declared[i],
                Members = [.. pool.Members.Select((m, at) => (m, at)).Where(x => x.m.Region == name).Select(x => x.at)],
            };
        }

        return result;
    }
}
