using System.Net;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests.Traffic;

/// <summary>Hand-built pools and regions, a scripted locator and random source.</summary>
internal static class TrafficFixtures
{
    public static readonly SourceLocation Here = new("test.zone", 1, 1);

    public static RegionDefinition Region(string name, string continents = "", string countries = "", string cidrs = "",
        string asns = "", double? lat = null, double? lon = null) =>
        new(name, Split(continents), Split(countries), [.. Split(cidrs).Select(IPNetwork.Parse)],
            [.. Split(asns).Select(uint.Parse)], lat, lon, Here);

    public static MemberDefinition Member(string region, string address, int weight = 1, int? priority = null, bool enabled = true)
    {
        var ip = IPAddress.Parse(address);
        return new MemberDefinition(region, address, ip.GetAddressBytes(), weight, priority, null, enabled,
            new Dictionary<string, string>(), Here);
    }

    public static PoolDefinition Pool(string policy, IReadOnlyList<MemberDefinition> members, string? fallback = "failover",
        int maxAnswers = 1, string ifAllDown = "all", bool sticky = false, string owner = "www.gtm.example.com.",
        ushort type = RecordType.A, uint ttl = 30) =>
        new(DnsName.Parse(owner), type, ttl, policy, fallback, null, maxAnswers, ifAllDown, sticky, members,
            new Dictionary<string, string>(), Here);

    /// <summary>The DESIGN.md example's regions.</summary>
    public static IReadOnlyList<RegionDefinition> DesignRegions() =>
    [
        Region("us-east", continents: "NA", countries: "US,CA,MX", lat: 38.9, lon: -77.4),
        Region("eu-west", continents: "EU,AF", countries: "IE,GB", cidrs: "203.0.113.0/24", lat: 53.3, lon: -6.2),
    ];

    public static ClientAddress Address(string text) => ClientAddress.FromIPAddress(IPAddress.Parse(text));

    private static string[] Split(string list) => list.Length == 0 ? [] : list.Split(',');
}

/// <summary>Builds a pool and runs selections against it.</summary>
internal sealed class PoolHarness
{
    public PoolHarness(PoolDefinition pool, IReadOnlyList<RegionDefinition> regions, IClientLocator? locator = null, IRandomSource? random = null)
    {
        Board = new HealthBoard();
        Locator = locator ?? NoLocator.Instance;
        Random = random ?? new SeededRandom(1);
        Compiler = new TrafficCompiler(Board, TrafficVocabulary.BuiltIn.Policies, Locator, random: Random);
        Model = Compiler.BuildModel(pool, regions);
    }

    public HealthBoard Board { get; }

    public IClientLocator Locator { get; }

    public IRandomSource Random { get; }

    public TrafficCompiler Compiler { get; }

    public PoolModel Model { get; }

    public void SetDown(string target, bool down = true) =>
        Model.Members.Single(m => m.Target == target).Slot.SetOverride(down ? MemberOverride.ForceDown : MemberOverride.Auto);

    public (string[] Targets, int Scope) Select(string client, int? prefix = null, SelectionTrace? trace = null)
    {
        var address = TrafficFixtures.Address(client);
        int bits = prefix ?? address.BitLength;
        Span<int> chosen = stackalloc int[Model.Capacity];
        int count = PoolSelector.Select(Model, address.Masked(bits), bits, Locator, Random, chosen, out int scope, trace);
        return ([.. chosen[..count].ToArray().Select(i => Model.Members[i].Target)], scope);
    }

    public string One(string client, int? prefix = null) => Select(client, prefix).Targets.Single();
}

/// <summary>Deterministic draws: a seeded <see cref="System.Random"/>.</summary>
internal sealed class SeededRandom(int seed) : IRandomSource
{
    private readonly Random _random = new(seed);

    public long Next(long exclusiveMax) => _random.NextInt64(exclusiveMax);
}

/// <summary>Returns scripted values (modulo the bound), then repeats them.</summary>
internal sealed class ScriptedRandom(params long[] values) : IRandomSource
{
    private int _next;

    public long Next(long exclusiveMax) => values[_next++ % values.Length] % exclusiveMax;
}

/// <summary>A locator from a table of networks, most specific listed first.</summary>
internal sealed class TableLocator : IClientLocator
{
    private readonly List<(ClientAddress Network, int Prefix, ClientLocation Location)> _entries = [];

    public string Description => "test table";

    public int Calls { get; private set; }

    public TableLocator Add(string cidr, string? country = null, string? continent = null, string? subdivision = null,
        uint asn = 0, double? lat = null, double? lon = null)
    {
        var network = IPNetwork.Parse(cidr);
        var location = new ClientLocation
        {
            Found = true,
            Country = country,
            Continent = continent,
            Subdivision = subdivision,
            Asn = asn,
            HasCoordinates = lat.HasValue,
            Latitude = lat ?? 0,
            Longitude = lon ?? 0,
            NetworkPrefix = network.PrefixLength,
            Source = "test table",
        };
        _entries.Add((ClientAddress.FromIPAddress(network.BaseAddress), network.PrefixLength, location));
        return this;
    }

    public ClientLocation Locate(ClientAddress address, int prefix)
    {
        Calls++;
        foreach (var (network, bits, location) in _entries)
        {
            if (network.IsIPv4 == address.IsIPv4 && address.Masked(bits) == network)
            {
                return location;
            }
        }

        return ClientLocation.Unknown(address.IsIPv4 ? 24 : 56, "test table");
    }
}
