using System.Collections.Frozen;
using System.Net;
using GeoDns.Core.Wire;

namespace GeoDns.Core.Traffic;

/// <summary>A <c>cidrs=</c> entry of a region, as a 128-bit prefix of one address family.</summary>
public readonly record struct CidrRule(UInt128 Network, int Prefix, bool IsIPv4, int Region, string Text)
{
    /// <summary>Whether every address of the client's known prefix lies inside this network.</summary>
    public bool Contains(ClientAddress client, int clientPrefix) =>
        client.IsIPv4 == IsIPv4 && clientPrefix >= Prefix && client.Masked(Prefix).Value == Network;

    /// <summary>
    /// How many leading bits of the client tell it apart from this network (at most
    /// <see cref="Prefix"/>): the ECS scope a decision needs to stay right on the other side.
    /// </summary>
    public int DistinguishingBits(ClientAddress client)
    {
        if (client.IsIPv4 != IsIPv4)
        {
            return 0;
        }

        int bits = client.BitLength;
        UInt128 difference = (client.Value ^ Network) << (128 - bits);
        int common = difference == UInt128.Zero ? bits : (int)UInt128.LeadingZeroCount(difference);
        return Math.Min(Prefix, common + 1);
    }
}

/// <summary>
/// The geo rules of one pool's regions, most specific first: CIDR (longest prefix first),
/// ASN, subdivision, country, continent. Each key maps to its regions in file order.
/// </summary>
public sealed class RegionMatcher
{
    private static readonly FrozenDictionary<string, int[]> NoKeys = FrozenDictionary<string, int[]>.Empty;

    public RegionMatcher(IReadOnlyList<RegionModel> regions)
    {
        var cidrs = new List<CidrRule>();
        var asns = new Dictionary<uint, List<int>>();
        var subdivisions = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var countries = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var continents = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var region in regions)
        {
            var definition = region.Definition;
            foreach (var network in definition.Cidrs)
            {
                cidrs.Add(ToRule(network, region.Index));
            }

            foreach (uint asn in definition.Asns)
            {
                AddTo(asns, asn, region.Index);
            }

            foreach (string code in definition.Countries)
            {
                AddTo(code.Contains('-', StringComparison.Ordinal) ? subdivisions : countries, code.ToUpperInvariant(), region.Index);
            }

            foreach (string code in definition.Continents)
            {
                AddTo(continents, code.ToUpperInvariant(), region.Index);
            }
        }

        // Longest prefix first; equal prefixes keep file order (List.Sort is not stable).
        Cidrs = [.. cidrs.Select((rule, i) => (rule, i)).OrderByDescending(x => x.rule.Prefix).ThenBy(x => x.i).Select(x => x.rule)];
        Asns = asns.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        Subdivisions = Freeze(subdivisions);
        Countries = Freeze(countries);
        Continents = Freeze(continents);
        NeedsLocation = asns.Count + subdivisions.Count + countries.Count + continents.Count > 0;
    }

    public CidrRule[] Cidrs { get; }

    public FrozenDictionary<uint, int[]> Asns { get; }

    public FrozenDictionary<string, int[]> Subdivisions { get; }

    public FrozenDictionary<string, int[]> Countries { get; }

    public FrozenDictionary<string, int[]> Continents { get; }

    /// <summary>Whether any rule needs a located client (anything but CIDRs).</summary>
    public bool NeedsLocation { get; }

    /// <summary>The ECS scope that keeps a non-CIDR decision from covering any CIDR rule.</summary>
    public int CidrExclusionScope(ClientAddress client)
    {
        int scope = 0;
        foreach (ref readonly var rule in Cidrs.AsSpan())
        {
            scope = Math.Max(scope, rule.DistinguishingBits(client));
        }

        return scope;
    }

    /// <summary>Regions listed for <paramref name="key"/> in a table; empty when none or null.</summary>
    public static ReadOnlySpan<int> Lookup(FrozenDictionary<string, int[]> table, string? key) =>
        key is not null && table.TryGetValue(key, out var regions) ? regions : ReadOnlySpan<int>.Empty;

    private static CidrRule ToRule(IPNetwork network, int region)
    {
        var address = ClientAddress.FromIPAddress(network.BaseAddress);
        return new CidrRule(address.Masked(network.PrefixLength).Value, network.PrefixLength, address.IsIPv4, region, network.ToString());
    }

    private static void AddTo<TKey>(Dictionary<TKey, List<int>> table, TKey key, int region)
        where TKey : notnull
    {
        if (!table.TryGetValue(key, out var list))
        {
            table[key] = list = [];
        }

        if (!list.Contains(region))
        {
            list.Add(region);
        }
    }

    private static FrozenDictionary<string, int[]> Freeze(Dictionary<string, List<int>> table) =>
        table.Count == 0 ? NoKeys : table.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
}
