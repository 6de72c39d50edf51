namespace GeoDns.Tests.Geo;

/// <summary>
/// GeoIP2-schema test databases written by the tests, with networks and places like
/// MaxMind's own test data (../shared is not needed at test time).
/// </summary>
internal static class TestGeoDatabases
{
    public static readonly (string Cidr, string Country, string Continent, string? Subdivision, double Lat, double Lon)[] Places =
    [
        ("81.2.69.160/27", "GB", "EU", "ENG", 51.5142, -0.0931),
        ("89.160.20.128/25", "SE", "EU", "E", 58.4167, 15.6167),
        ("216.160.83.56/29", "US", "NA", "WA", 47.2513, -122.3149),
        ("10.20.0.0/16", "US", "NA", "CA", 37.386, -122.0838),
        ("175.16.199.0/24", "CN", "AS", "22", 43.88, 125.3228),
        ("1.128.0.0/11", "AU", "OC", "NSW", -33.8591, 151.2002),
        ("2001:218::/32", "JP", "AS", null, 35.68536, 139.75309),
        ("2a02:d180::/29", "DE", "EU", null, 51.5, 10.5),
    ];

    public static string WriteCity(string directory, int recordSize = 24, string type = "GeoIP2-City")
    {
        var writer = new MmdbWriter(type, recordSize);
        uint id = 1;
        foreach (var (cidr, country, continent, subdivision, lat, lon) in Places)
        {
            var record = new Dictionary<string, object>
            {
                ["continent"] = Place(id++, continent, "code"),
                ["country"] = Place(id++, country, "iso_code"),
                ["registered_country"] = Place(id++, country, "iso_code"),
                ["location"] = new Dictionary<string, object> { ["latitude"] = lat, ["longitude"] = lon, ["accuracy_radius"] = (ushort)100 },
            };
            if (subdivision is not null)
            {
                record["subdivisions"] = new List<object> { Place(id++, subdivision, "iso_code") };
            }

            writer.Add(cidr, record);
        }

        return Save(writer, directory, "city.mmdb");
    }

    public static string WriteCountry(string directory, int recordSize = 28)
    {
        var writer = new MmdbWriter("GeoLite2-Country", recordSize);
        uint id = 1;
        foreach (var (cidr, country, continent, _, _, _) in Places)
        {
            writer.Add(cidr, new Dictionary<string, object>
            {
                ["continent"] = Place(id++, continent, "code"),
                ["country"] = Place(id++, country, "iso_code"),
            });
        }

        return Save(writer, directory, "country.mmdb");
    }

    public static string WriteAsn(string directory, int recordSize = 32) => Save(
        new MmdbWriter("GeoLite2-ASN", recordSize)
            .Add("81.2.69.0/24", Asn(64500, "Example Transit"))
            .Add("10.20.30.0/24", Asn(64501, "Example Campus"))
            .Add("2001:218::/32", Asn(2914, "NTT")),
        directory,
        "asn.mmdb");

    private static Dictionary<string, object> Asn(uint number, string organisation) => new()
    {
        ["autonomous_system_number"] = number,
        ["autonomous_system_organization"] = organisation,
    };

    private static Dictionary<string, object> Place(uint geonameId, string code, string codeKey) => new()
    {
        [codeKey] = code,
        ["geoname_id"] = geonameId,
        ["names"] = new Dictionary<string, object> { ["en"] = code },
    };

    private static string Save(MmdbWriter writer, string directory, string name)
    {
        string path = Path.Combine(directory, name);
        writer.Write(path);
        return path;
    }
}
