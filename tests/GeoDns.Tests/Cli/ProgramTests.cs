using System.Net;
using ARSoft.Tools.Net.Dns;
using GeoDns.Tests.Server;

namespace GeoDns.Tests.Cli;

/// <summary>The <c>geodns</c> program as operators run it: exit codes, signals, messages.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class ProgramTests
{
    private string _directory = null!;

    [SetUp]
    public void MakeFolder()
    {
        _directory = Path.Combine(Path.GetTempPath(), "geodns-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task CheckPassesOnTheSampleZones()
    {
        var zones = Path.Combine(RepositoryRoot(), "zones");
        var (exit, output) = await GeoDnsProcess.RunAsync($"check \"{zones}\"");
        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("0 errors"));
    }

    [Test]
    public async Task CheckOpensTheGeoIpDatabaseAndTheKeysServeWouldUse()
    {
        var root = RepositoryRoot();
        var zones = Path.Combine(root, "zones");
        var geoIp = Path.Combine(root, "samples", "geoip", "GeoLite2-City-Test.mmdb");

        // Without a database the sample's geo pool is a warning (serve logs the same), not an error.
        var (exit, output) = await GeoDnsProcess.RunAsync($"check \"{zones}\"");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("example.com.zone:42:1: warning: pool www.gtm.example.com. uses policy geo, and no GeoIP database is given"));

        (exit, output) = await GeoDnsProcess.RunAsync($"check \"{zones}\" --geoip \"{geoIp}\"");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("GeoIP: GeoLite2-City").And.Contain("0 errors, 0 warnings"));

        var garbage = Path.Combine(_directory, "garbage.mmdb");
        await File.WriteAllTextAsync(garbage, "not a database");
        (exit, output) = await GeoDnsProcess.RunAsync($"check \"{zones}\" --geoip \"{garbage}\"");
        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain($"geodns check: GeoIP database: {garbage}: cannot open the MaxMind database"));

        var keys = Path.Combine(_directory, "keys");
        Directory.CreateDirectory(keys);
        string good = await GeoDns.Tests.Dnssec.KeyDirectoryTests.DnssecKeygen(keys, "example.com", "ECDSAP256SHA256", ["-f", "KSK"]);
        (exit, output) = await GeoDnsProcess.RunAsync($"check \"{zones}\" --geoip \"{geoIp}\" --keys \"{keys}\"");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("keys: zone example.com.: 1 keys, signed"));

        string broken = Path.Combine(keys, good + ".private");
        await File.WriteAllTextAsync(broken, (await File.ReadAllTextAsync(broken)).Replace("PrivateKey: ", "PrivateKey: %", StringComparison.Ordinal));
        (exit, output) = await GeoDnsProcess.RunAsync($"check \"{zones}\" --geoip \"{geoIp}\" --keys \"{keys}\"");
        Assert.That(exit, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain($"geodns check: --keys: {broken}:3: the key is not valid base64").And.Contain("1 errors"));
    }

    [Test]
    public async Task CheckReportsEveryErrorWithItsPlaceAndFails()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "bad.test.zone"), """
            $ORIGIN bad.test.
            $TTL 60
            @ SOA ns h 1 2 3 4 5
            @ NS ns
            ns A 192.0.2.1
            x A 300.1.1.1
            y CNAME x
            y A 192.0.2.2
            """);
        var (exit, output) = await GeoDnsProcess.RunAsync($"check \"{_directory}\"");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(output, Does.Contain("bad.test.zone:6:"));
        Assert.That(output, Does.Contain("bad.test.zone:8:"));
        Assert.That(output, Does.Contain("2 errors"));
    }

    [Test]
    public async Task UnknownOptionIsAClearError()
    {
        var (exit, output) = await GeoDnsProcess.RunAsync("serve --zonez x");
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(output, Does.Contain("unknown option '--zonez'"));
    }

    [Test]
    public async Task MissingZonesFolderIsAClearError()
    {
        var (exit, output) = await GeoDnsProcess.RunAsync($"serve --zones \"{_directory}/nope\" --dns 127.0.0.1:{GeoDnsProcess.FreePort()}");
        Assert.That(exit, Is.Not.EqualTo(0));
        Assert.That(output, Does.Contain("does not exist"));
    }

    [Test]
    public async Task ServeLogsEachZoneReloadsOnSighupAndStopsOnSigterm()
    {
        var file = Path.Combine(_directory, "simple.test.zone");
        await File.WriteAllTextAsync(file, TestZones.Simple());
        int port = GeoDnsProcess.FreePort();
        using var server = GeoDnsProcess.Start($"serve --zones \"{_directory}\" --dns 127.0.0.1:{port}",
            new Dictionary<string, string> { ["GEODNS_WATCHZONES"] = "false" });
        Assert.That(await server.WaitForOutputAsync("Answering DNS on", TimeSpan.FromSeconds(30)), Is.True, server.Output);
        Assert.That(server.Output, Does.Match(@"Loaded zone simple\.test\. serial 1: 4 records from .* in \d+ ms"));
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        var first = await DnsTestClient.UdpAsync(endpoint, new QueryBuilder { Name = "www.simple.test." });
        Assert.That(first.AnswerRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.1")));

        await File.WriteAllTextAsync(file, TestZones.Simple(address: "192.0.2.8", serial: 2));
        server.Signal("HUP");
        Assert.That(await server.WaitForOutputAsync("serial 2", TimeSpan.FromSeconds(10)), Is.True, server.Output);
        var second = await DnsTestClient.UdpAsync(endpoint, new QueryBuilder { Name = "www.simple.test." });
        Assert.That(second.AnswerRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.8")));

        server.Signal("TERM");
        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(0), server.Output);
        Assert.That(server.Output, Does.Contain("Stopped answering DNS"));
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GeoDns.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("GeoDns.sln not found above the test folder");
    }
}
