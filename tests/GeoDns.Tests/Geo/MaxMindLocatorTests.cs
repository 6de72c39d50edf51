using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Geo;

namespace GeoDns.Tests.Geo;

public class MaxMindLocatorTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("geodns-geo-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [TestCase(24)]
    [TestCase(28)]
    [TestCase(32)]
    public void ReadsCityFieldsAndTheNetwork(int recordSize)
    {
        using var locator = new MaxMindLocator(TestGeoDatabases.WriteCity(_directory, recordSize));

        var gb = Locate(locator, "81.2.69.170");
        Assert.That((gb.Found, gb.Country, gb.Continent, gb.Subdivision, gb.NetworkPrefix), Is.EqualTo((true, "GB", "EU", "GB-ENG", 27)));
        Assert.That((gb.Latitude, gb.Longitude, gb.HasCoordinates), Is.EqualTo((51.5142, -0.0931, true)));
        Assert.That(Locate(locator, "216.160.83.57").Subdivision, Is.EqualTo("US-WA"));
        Assert.That(Locate(locator, "2a02:d180::1") is { Country: "DE", NetworkPrefix: 29 }, Is.True);
        Assert.That(Locate(locator, "2001:218:1::5").Country, Is.EqualTo("JP"));
    }

    [Test]
    public void UnknownNetworksAreNotFoundWithTheClientPrefix()
    {
        using var locator = new MaxMindLocator(TestGeoDatabases.WriteCity(_directory));

        var location = locator.Locate(TestAddress("100.64.1.0"), 24);

        Assert.That((location.Found, location.NetworkPrefix), Is.EqualTo((false, 24)));
    }

    [Test]
    public void CountryDatabasesUseTheCountryMethod()
    {
        using var locator = new MaxMindLocator(TestGeoDatabases.WriteCountry(_directory));

        var se = Locate(locator, "89.160.20.200");

        Assert.That((se.Country, se.Continent, se.HasCoordinates, se.NetworkPrefix), Is.EqualTo(("SE", "EU", false, 25)));
        Assert.That(locator.Description, Does.StartWith("GeoLite2-Country"));
    }

    [Test]
    public void AsnDatabaseAddsTheAsnAndNarrowsTheNetwork()
    {
        using var locator = new MaxMindLocator(TestGeoDatabases.WriteCity(_directory), TestGeoDatabases.WriteAsn(_directory));

        var campus = Locate(locator, "10.20.30.40");
        var jp = Locate(locator, "2001:218::1");

        Assert.That((campus.Country, campus.Asn, campus.NetworkPrefix), Is.EqualTo(("US", 64501u, 24)));
        Assert.That((jp.Asn, jp.NetworkPrefix), Is.EqualTo((2914u, 32)));
        Assert.That(Locate(locator, "10.20.99.1") is { Asn: 0, Country: "US" }, Is.True, "no ASN entry: location still found");
    }

    [Test]
    public void AnAsnDatabaseAloneWorks()
    {
        using var locator = new MaxMindLocator(null, TestGeoDatabases.WriteAsn(_directory));

        Assert.That(Locate(locator, "81.2.69.1") is { Found: true, Asn: 64500, Country: null, NetworkPrefix: 24 }, Is.True);
    }

    [Test]
    public void LooksEachBlockUpOnce()
    {
        using var locator = new MaxMindLocator(TestGeoDatabases.WriteCity(_directory));

        for (int i = 0; i < 256; i++)
        {
            Assert.That(Locate(locator, $"10.20.7.{i}").Subdivision, Is.EqualTo("US-CA"));
        }

        Assert.That(locator.DatabaseLookups, Is.EqualTo(1), "a /16 network covers the whole /24 block");
    }

    [Test]
    public void ABlockSplitBetweenNetworksIsCachedPerAddress()
    {
        using var locator = new MaxMindLocator(TestGeoDatabases.WriteCity(_directory));

        Assert.That(Locate(locator, "81.2.69.5").Found, Is.False);
        Assert.That(Locate(locator, "81.2.69.170").Country, Is.EqualTo("GB"));
        Assert.That(Locate(locator, "81.2.69.5").Found, Is.False);
        Assert.That(Locate(locator, "81.2.69.170").Country, Is.EqualTo("GB"));
        Assert.That(locator.DatabaseLookups, Is.EqualTo(2));
    }

    [Test]
    public void CachedLookupsAllocateNothing()
    {
        using var locator = new MaxMindLocator(TestGeoDatabases.WriteCity(_directory));
        var client = TestAddress("81.2.69.170");
        locator.Locate(client, 32);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            locator.Locate(client, 32);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void RejectsDatabasesOfAnotherKind()
    {
        string asn = TestGeoDatabases.WriteAsn(_directory);
        string city = TestGeoDatabases.WriteCity(_directory);

        Assert.That(() => new MaxMindLocator(asn), Throws.InvalidOperationException.With.Message.Contains("neither a City nor a Country"));
        Assert.That(() => new MaxMindLocator(null, city), Throws.InvalidOperationException.With.Message.Contains("not an ASN database"));
        Assert.That(() => new MaxMindLocator(Path.Combine(_directory, "missing.mmdb")), Throws.InstanceOf<Exception>());
    }

    internal static ClientAddress TestAddress(string text) => ClientAddress.FromIPAddress(System.Net.IPAddress.Parse(text));

    private static ClientLocation Locate(IClientLocator locator, string address)
    {
        var client = TestAddress(address);
        return locator.Locate(client, client.BitLength);
    }
}
