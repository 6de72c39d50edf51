using System.Net;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using MaxMind.Db;
using MaxMind.GeoIP2;
using MaxMind.GeoIP2.Exceptions;

namespace GeoDns.Geo;

/// <summary>
/// Locates clients with MaxMind GeoIP2/GeoLite2 databases: City or Country (the kind read from
/// the metadata) and optionally ASN. Each client block (IPv4 /24, IPv6 /56) is looked up once
/// and cached; a block split between several database networks is cached per address.
/// </summary>
public sealed class MaxMindLocator : IClientLocator, IDisposable
{
    private readonly DatabaseReader? _geo;
    private readonly bool _isCity;
    private readonly DatabaseReader? _asn;
    private readonly LocationCache _cache;

    public MaxMindLocator(string? geoIpPath, string? asnPath = null, int cacheSlots = 1 << 16)
    {
        if (geoIpPath is null && asnPath is null)
        {
            throw new ArgumentException("give a GeoIP database, an ASN database, or both");
        }

        try
        {
            if (geoIpPath is not null)
            {
                _geo = Open(geoIpPath);
                string type = _geo.Metadata.DatabaseType;
                _isCity = type.Contains("City", StringComparison.OrdinalIgnoreCase);
                if (!_isCity && !type.Contains("Country", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"{geoIpPath}: database type '{type}' is neither a City nor a Country database");
                }
            }

            if (asnPath is not null)
            {
                _asn = Open(asnPath);
                if (!_asn.Metadata.DatabaseType.Contains("ASN", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"{asnPath}: database type '{_asn.Metadata.DatabaseType}' is not an ASN database");
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        _cache = new LocationCache(cacheSlots);
        Description = string.Join(" + ", new[] { _geo, _asn }.Where(r => r is not null)
            .Select(r => $"{r!.Metadata.DatabaseType} (built {r.Metadata.BuildDate:yyyy-MM-dd})"));
    }

    public string Description { get; }

    /// <summary>The lookups that reached a database (cache misses).</summary>
    public long DatabaseLookups => Interlocked.Read(ref _lookups);

    private long _lookups;

    public ClientLocation Locate(ClientAddress address, int prefix)
    {
        prefix = Math.Clamp(prefix, 0, address.BitLength);
        address = address.Masked(prefix);
        int block = Math.Min(prefix, address.IsIPv4 ? 24 : 56);
        var blockNetwork = address.Masked(block);
        bool haveBlock = _cache.TryGet(blockNetwork, block, out var blockEntry);
        if (haveBlock && !blockEntry!.Split)
        {
            return blockEntry.Location;
        }

        if (haveBlock && _cache.TryGet(address, prefix, out var own))
        {
            return own.Location;
        }

        var location = Lookup(address, prefix, block, out bool coversBlock);
        if (coversBlock)
        {
            _cache.Set(new LocationCache.Entry(blockNetwork, block, location, Split: false));
        }
        else
        {
            if (!haveBlock)
            {
                _cache.Set(new LocationCache.Entry(blockNetwork, block, default, Split: true));
            }

            _cache.Set(new LocationCache.Entry(address, prefix, location, Split: false));
        }

        return location;
    }

    public void Dispose()
    {
        _geo?.Dispose();
        _asn?.Dispose();
    }

    /// <summary>Asks the databases (allocates; cache misses only).</summary>
    private ClientLocation Lookup(ClientAddress address, int prefix, int block, out bool coversBlock)
    {
        Interlocked.Increment(ref _lookups);
        var ip = address.ToIPAddress();
        var location = new ClientLocation();
        var sources = new List<string>(2);
        bool known = true;
        int networkPrefix = 0;
        if (_geo is not null)
        {
            if (LookupGeo(ip, address.IsIPv4, ref location, out int geoPrefix, out string? network))
            {
                networkPrefix = geoPrefix;
                sources.Add($"{_geo.Metadata.DatabaseType} {network}");
            }
            else
            {
                known = false;
            }
        }

        if (_asn is not null)
        {
            if (TryRead(() => _asn.TryAsn(ip, out var r) ? r : null) is { AutonomousSystemNumber: { } asn } asnResponse)
            {
                int asnPrefix = Normalise(asnResponse.Network, address.IsIPv4, prefix);
                location = location with { Asn = (uint)asn, Found = true };
                networkPrefix = Math.Max(networkPrefix, asnPrefix);
                sources.Add($"{_asn.Metadata.DatabaseType} {asnResponse.Network}");
            }
            else
            {
                known = false;
            }
        }

        if (!location.Found)
        {
            coversBlock = false;
            return ClientLocation.Unknown(prefix, $"{Description}: no entry");
        }

        // Every database answered for a network at least as wide as the block: the whole block shares it.
        coversBlock = known && networkPrefix <= block;
        return location with { NetworkPrefix = Math.Min(networkPrefix, prefix), Source = string.Join(" + ", sources) };
    }

    private bool LookupGeo(IPAddress ip, bool isIPv4, ref ClientLocation location, out int networkPrefix, out string? network)
    {
        networkPrefix = 0;
        network = null;
        if (_isCity)
        {
            if (TryRead(() => _geo!.TryCity(ip, out var r) ? r : null) is not { } city)
            {
                return false;
            }

            var subdivision = city.Subdivisions.Count > 0 ? city.Subdivisions[0].IsoCode : null;
            string? country = city.Country.IsoCode ?? city.RegisteredCountry.IsoCode;
            location = location with
            {
                Found = true,
                Country = country,
                Continent = city.Continent.Code,
                Subdivision = country is not null && subdivision is not null ? $"{country}-{subdivision}" : null,
                HasCoordinates = city.Location.Latitude.HasValue && city.Location.Longitude.HasValue,
                Latitude = city.Location.Latitude ?? 0,
                Longitude = city.Location.Longitude ?? 0,
            };
            networkPrefix = Normalise(city.Traits.Network, isIPv4, isIPv4 ? 32 : 128);
            network = city.Traits.Network?.ToString();
            return true;
        }

        if (TryRead(() => _geo!.TryCountry(ip, out var r) ? r : null) is not { } result)
        {
            return false;
        }

        location = location with
        {
            Found = true,
            Country = result.Country.IsoCode ?? result.RegisteredCountry.IsoCode,
            Continent = result.Continent.Code,
        };
        networkPrefix = Normalise(result.Traits.Network, isIPv4, isIPv4 ? 32 : 128);
        network = result.Traits.Network?.ToString();
        return true;
    }

    /// <summary>The network's prefix in the client's own family (IPv4 networks of an IPv6 tree count from ::/96).</summary>
    private static int Normalise(Network? network, bool isIPv4, int unknown)
    {
        if (network is null)
        {
            return unknown;
        }

        int prefix = network.PrefixLength;
        return isIPv4 && network.NetworkAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? Math.Max(0, prefix - 96) : prefix;
    }

    /// <summary>A lookup that treats a database that cannot answer (IPv6 client, IPv4-only file) as no entry.</summary>
    private static T? TryRead<T>(Func<T?> read)
        where T : class
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is ArgumentException or InvalidDatabaseException or GeoIP2Exception)
        {
            return null;
        }
    }

    private static DatabaseReader Open(string path)
    {
        try
        {
            return new DatabaseReader(path, FileAccessMode.Memory);
        }
        catch (Exception e) when (e is InvalidDatabaseException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{path}: cannot open the MaxMind database: {e.Message}", e);
        }
    }
}
