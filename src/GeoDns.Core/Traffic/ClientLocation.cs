using GeoDns.Core.Wire;

namespace GeoDns.Core.Traffic;

/// <summary>
/// Where a client network is, as far as the location databases know. Strings come from a
/// cache entry built once per network, so passing a location around allocates nothing.
/// </summary>
public readonly record struct ClientLocation
{
    /// <summary>True when a database had an entry for the client's network.</summary>
    public bool Found { get; init; }

    /// <summary>ISO 3166-1 alpha-2, upper case (SE), or null.</summary>
    public string? Country { get; init; }

    /// <summary>ISO 3166-2 of the first subdivision, country prefixed (US-CA), or null.</summary>
    public string? Subdivision { get; init; }

    /// <summary>Continent code (EU), or null.</summary>
    public string? Continent { get; init; }

    /// <summary>Autonomous system number; 0 when unknown.</summary>
    public uint Asn { get; init; }

    public bool HasCoordinates { get; init; }

    public double Latitude { get; init; }

    public double Longitude { get; init; }

    /// <summary>
    /// Leading bits of the client address that every address sharing this location has in
    /// common (the database network that decided, the most specific of City and ASN).
    /// </summary>
    public int NetworkPrefix { get; init; }

    /// <summary>A human description of where the facts came from (for explain), or null.</summary>
    public string? Source { get; init; }

    public static ClientLocation Unknown(int prefix, string? source = null) => new() { NetworkPrefix = prefix, Source = source };

    public override string ToString()
    {
        if (!Found)
        {
            return "unknown";
        }

        var parts = new List<string>();
        if (Country is not null)
        {
            parts.Add($"country {Country}");
        }

        if (Subdivision is not null)
        {
            parts.Add($"subdivision {Subdivision}");
        }

        if (Continent is not null)
        {
            parts.Add($"continent {Continent}");
        }

        if (Asn != 0)
        {
            parts.Add($"AS{Asn}");
        }

        if (HasCoordinates)
        {
            parts.Add(FormattableString.Invariant($"lat {Latitude:0.####} lon {Longitude:0.####}"));
        }

        return string.Join(", ", parts);
    }
}

/// <summary>
/// Finds the location of a client network. Implementations run on the query path: after the
/// first lookup of a network they must answer without allocating and without taking a lock.
/// </summary>
public interface IClientLocator
{
    /// <summary>What the locator uses (for logs and explain).</summary>
    string Description { get; }

    /// <param name="address">The client address (already masked to <paramref name="prefix"/>).</param>
    /// <param name="prefix">How many leading bits of <paramref name="address"/> are known.</param>
    ClientLocation Locate(ClientAddress address, int prefix);
}

/// <summary>No database: every client is of unknown location.</summary>
public sealed class NoLocator : IClientLocator
{
    public static readonly NoLocator Instance = new();

    public string Description => "no GeoIP database";

    public ClientLocation Locate(ClientAddress address, int prefix) => ClientLocation.Unknown(0, "no GeoIP database");
}
