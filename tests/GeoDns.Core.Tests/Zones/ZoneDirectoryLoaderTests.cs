using GeoDns.Core.Loading;
using GeoDns.Core.Zones;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

public class ZoneDirectoryLoaderTests
{
    private string _dir = string.Empty;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("geodns-dir").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void LoadsEveryZoneFileNotRecursively()
    {
        File.WriteAllText(Path.Combine(_dir, "example.com.zone"), Header + "$INCLUDE hosts.inc\n");
        File.WriteAllText(Path.Combine(_dir, "hosts.inc"), "www A 192.0.2.1\n");
        File.WriteAllText(Path.Combine(_dir, "example.net.zone"), Header.Replace("example.com.", "example.net.", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_dir, "README"), "not a zone");
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        File.WriteAllText(Path.Combine(_dir, "sub", "nested.zone"), "garbage");

        var zones = ZoneDirectoryLoader.LoadAll(_dir, TrafficVocabulary.BuiltIn);
        Assert.That(zones.Select(z => z.Origin.ToString()), Is.EqualTo(new[] { "example.com.", "example.net." }));
        Assert.That(zones.All(z => !z.HasErrors), Is.True, () => string.Join("\n", zones.SelectMany(z => z.Diagnostics)));
        Assert.That(zones[0].Records, Has.Count.EqualTo(4));
    }

    [Test]
    public void TwoFilesDeclaringTheSameZoneIsAnError()
    {
        // Names compare case-insensitively, so these two files declare one zone.
        File.WriteAllText(Path.Combine(_dir, "EXAMPLE.com.zone"), Header);
        File.WriteAllText(Path.Combine(_dir, "example.com.zone"), Header);
        var zones = ZoneDirectoryLoader.LoadAll(_dir, TrafficVocabulary.BuiltIn);
        Assert.That(zones[0].HasErrors, Is.False, () => Dump(zones[0]));
        AssertError(zones[1], Path.Combine(_dir, "example.com.zone") + ":3:1", "also declared by " + Path.Combine(_dir, "EXAMPLE.com.zone"));
    }

    [Test]
    public void MissingDirectoryIsADiagnostic()
    {
        var zones = ZoneDirectoryLoader.LoadAll(Path.Combine(_dir, "nope"), TrafficVocabulary.BuiltIn);
        Assert.That(zones.Single().HasErrors, Is.True);
        Assert.That(zones.Single().Diagnostics.Single().Message, Does.Contain("cannot read zone directory"));
    }

    [Test]
    public void TryLoadAllTellsAFolderThatCannotBeListedFromAnEmptyOne()
    {
        Assert.That(ZoneDirectoryLoader.TryLoadAll(Path.Combine(_dir, "nope"), TrafficVocabulary.BuiltIn, out var none, out string? error), Is.False);
        Assert.That(none, Is.Empty);
        Assert.That(error, Does.Contain("cannot read zone directory"));

        var file = Path.Combine(_dir, "file");
        File.WriteAllText(file, "not a folder");
        Assert.That(ZoneDirectoryLoader.TryLoadAll(file, TrafficVocabulary.BuiltIn, out _, out error), Is.False);
        Assert.That(error, Does.Contain("cannot read zone directory"));

        Assert.That(ZoneDirectoryLoader.TryLoadAll(_dir, TrafficVocabulary.BuiltIn, out var empty, out error), Is.True);
        Assert.That(empty, Is.Empty);
        Assert.That(error, Is.Null);
    }
}
