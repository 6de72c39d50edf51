using System.Reflection;
using GeoDns.Core;
using GeoDns.Core.Cookies;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;

namespace GeoDns.Fuzz;

/// <summary>
/// The server the query targets talk to: <see cref="QueryProcessor"/> over zones that use every
/// feature (Zones/fuzz.test.zone, Zones/child.fuzz.test.zone and the sample zone), pools compiled
/// with a scripted locator and random source. Built once per process.
/// <para>
/// A query's ID picks the health state and the source address before it is answered, so the
/// fuzzer reaches every pool branch by mutating two octets: bits 0-9 mark members down, bits
/// 10-11 drain a region, bits 12-13 pin a pool, bits 14-15 pick the source address.
/// </para>
/// </summary>
public sealed class FuzzServer
{
    public static readonly string[] ZoneFiles = ["fuzz.test.zone", "child.fuzz.test.zone", "example.com.zone"];

    private static readonly ClientAddress[] Sources =
    [
        ClientAddress.FromIPv4(0x7F000001), // 127.0.0.1: not located
        ClientAddress.FromIPv4(0x51024501), // 81.2.69.1
        ClientAddress.FromIPv4(0xCB007109), // 203.0.113.9: eu-west by CIDR
        ClientAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db8:e0::1")),
    ];

    private static readonly string[] Regions = ["eu-west", "us-east", "ap-south"];

    private static readonly (string Pool, string Region)[] Pins =
    [
        ("www.gtm.fuzz.test.", "us-west"),
        ("wt.gtm.fuzz.test.", "ap-south"),
        ("fo.gtm.fuzz.test.", "eu-west"),
    ];

    private readonly MemberSlot[] _members;
    private readonly PoolSlot[] _pools;
    private ushort? _state;

    public FuzzServer()
    {
        Board = new HealthBoard();
        Random = new FuzzRandom();
        var traffic = new TrafficCompiler(Board, TrafficVocabulary.BuiltIn.Policies, new FuzzLocator(), Random);
        var zones = new List<Zone>();
        foreach (string name in ZoneFiles)
        {
            var file = ZoneFileLoader.Parse(ZoneText(name), name, null, TrafficVocabulary.BuiltIn);
            if (file.HasErrors)
            {
                throw new InvalidOperationException($"the fuzz zone {name} has errors:\n{string.Join('\n', file.Diagnostics)}");
            }

            zones.Add(ZonePipeline.BuildZone(file, traffic));
        }

        // Cookies on, as serve has them by default: COOKIE options of every length reach the query path.
        Processor = new QueryProcessor(new Snapshot(zones))
        {
            Cookies = new ServerCookies(Convert.FromHexString("00112233445566778899aabbccddeeff"), default, TimeProvider.System),
        };
        _members = [.. Board.Members.OrderBy(m => m.Key.Pool, StringComparer.Ordinal).ThenBy(m => m.Key.Member, StringComparer.Ordinal)];
        _pools = [.. Pins.Select(p => Board.Pool(p.Pool))];
    }

    /// <summary>The process's server, built on first use.</summary>
    public static FuzzServer Shared => Holder.Instance;

    public QueryProcessor Processor { get; }

    public HealthBoard Board { get; }

    public FuzzRandom Random { get; }

    /// <summary>The text of one of <see cref="ZoneFiles"/> (embedded in this assembly).</summary>
    public static string ZoneText(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("zones/" + name)
            ?? throw new InvalidOperationException($"no embedded zone {name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Sets the health state and random draws a request's ID selects; returns the source address
    /// to answer it from.
    /// </summary>
    public ClientAddress Prepare(ReadOnlySpan<byte> request)
    {
        ushort id = request.Length >= 2 ? (ushort)((request[0] << 8) | request[1]) : (ushort)0;
        Random.Reset(id);
        if (_state != id)
        {
            Apply(id);
            _state = id;
        }

        return Sources[id >> 14];
    }

    private void Apply(ushort id)
    {
        var since = DateTimeOffset.UnixEpoch;
        for (int i = 0; i < _members.Length; i++)
        {
            // Ten bits spread over all members: member i follows bit i % 10.
            bool down = (id & (1 << (i % 10))) != 0;
            _members[i].SetShared(down ? HealthStatus.Down : HealthStatus.Up, since);
        }

        int drain = (id >> 10) & 3;
        for (int r = 0; r < Regions.Length; r++)
        {
            Board.SetRegionDrained(Regions[r], drain == r + 1);
        }

        int pin = (id >> 12) & 3;
        for (int p = 0; p < _pools.Length; p++)
        {
            _pools[p].PinnedRegion = pin == p + 1 ? Pins[p].Region : null;
        }

        foreach (var member in _members)
        {
            member.Recompute();
        }
    }

    private static class Holder
    {
        public static readonly FuzzServer Instance = new();
    }
}

/// <summary>A locator without a database: where a client is follows from its first octet.</summary>
public sealed class FuzzLocator : IClientLocator
{
    public string Description => "fuzz locator (first octet)";

    public ClientLocation Locate(ClientAddress address, int prefix)
    {
        int top = address.IsIPv4 ? (int)((uint)address.Value >> 24) : (int)(address.Value >> 120);
        int network = Math.Min(prefix, address.IsIPv4 ? 16 : 32);
        return (top % 6) switch
        {
            0 => ClientLocation.Unknown(network, "fuzz: unknown"),
            1 => new ClientLocation
            {
                Found = true,
                Country = "US",
                Subdivision = "US-CA",
                Continent = "NA",
                Asn = 64500,
                HasCoordinates = true,
                Latitude = 37.4,
                Longitude = -122.1,
                NetworkPrefix = network,
            },
            2 => new ClientLocation
            {
                Found = true,
                Country = "GB",
                Continent = "EU",
                HasCoordinates = true,
                Latitude = 51.5,
                Longitude = -0.1,
                NetworkPrefix = network,
            },
            3 => new ClientLocation { Found = true, Asn = 64501, NetworkPrefix = Math.Min(prefix, 8) },
            4 => new ClientLocation
            {
                Found = true,
                Continent = "AS",
                HasCoordinates = true,
                Latitude = 35.7,
                Longitude = 139.7,
                NetworkPrefix = network,
            },
            _ => new ClientLocation { Found = true, Country = "AQ", Continent = "AN", NetworkPrefix = prefix },
        };
    }
}

/// <summary>Deterministic draws, reset before each input so a replay answers as the run did.</summary>
public sealed class FuzzRandom : IRandomSource
{
    private ulong _state = 1;

    public void Reset(ulong seed) => _state = (seed * 0x9E3779B97F4A7C15UL) | 1;

    public long Next(long exclusiveMax)
    {
        // The same contract as Random.NextInt64: negative is a caller's bug, 0 gives 0.
        ArgumentOutOfRangeException.ThrowIfNegative(exclusiveMax);
        if (exclusiveMax == 0)
        {
            return 0;
        }

        _state ^= _state << 13;
        _state ^= _state >> 7;
        _state ^= _state << 17;
        return (long)(_state % (ulong)exclusiveMax);
    }
}
