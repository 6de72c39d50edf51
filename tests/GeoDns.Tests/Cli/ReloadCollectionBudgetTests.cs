using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ARSoft.Tools.Net.Dns;
using GeoDns.Tests.Server;

namespace GeoDns.Tests.Cli;

/// <summary>
/// A reload builds the new zone while the old one answers; the program's small gen0 budget
/// (<c>System.GC.Gen0MaxBudget</c> in its runtimeconfig) keeps each collection of that build short,
/// at the price of many of them. Checked on the real program: the setting ships in the runtimeconfig
/// next to <c>geodns.dll</c>, and a reload of a zone of 50,000 records runs many collections.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed partial class ReloadCollectionBudgetTests
{
    private const int Records = 50_000;
    private string _directory = null!;

    [SetUp]
    public void MakeFolder()
    {
        _directory = Path.Combine(Path.GetTempPath(), "geodns-budget-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void RuntimeconfigCarriesTheGen0Budget()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(GeoDnsProcess.Dll, ".runtimeconfig.json")))!;
        var budget = config["runtimeOptions"]?["configProperties"]?["System.GC.Gen0MaxBudget"];
        Assert.That(budget, Is.Not.Null, config.ToJsonString());
        Assert.That(long.Parse(budget!.ToString(), System.Globalization.CultureInfo.InvariantCulture), Is.InRange(256L << 10, 4L << 20));
    }

    [Test]
    public async Task ReloadOfALargeZoneRunsManySmallCollections()
    {
        var file = Path.Combine(_directory, "many.test.zone");
        await File.WriteAllTextAsync(file, Zone(serial: 1, firstAddress: "192.0.2.1"));
        int port = GeoDnsProcess.FreePort();
        using var server = GeoDnsProcess.Start($"serve --zones \"{_directory}\" --dns 127.0.0.1:{port}",
            new Dictionary<string, string> { ["GEODNS_WATCHZONES"] = "false" });
        Assert.That(await server.WaitForOutputAsync("Answering DNS on", TimeSpan.FromSeconds(60)), Is.True, server.Output);

        await File.WriteAllTextAsync(file, Zone(serial: 2, firstAddress: "192.0.2.2"));
        server.Signal("HUP");
        Assert.That(await server.WaitForOutputAsync("Reload 2 (SIGHUP)", TimeSpan.FromSeconds(60)), Is.True, server.Output);
        var reply = await DnsTestClient.UdpAsync(new IPEndPoint(IPAddress.Loopback, port), new QueryBuilder { Name = "h0.many.test." });
        Assert.That(reply.AnswerRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.2")), "the reload is served");

        // ~30 MB allocated by the build: the default budget (tens of MB on most machines) runs a
        // few long collections, a budget of about 1 MB some tens of short ones.
        var line = ReloadLine().Match(server.Output);
        Assert.That(line.Success, Is.True, server.Output);
        Assert.That(int.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(10), line.Value);
        server.Signal("TERM");
        Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(0), server.Output);
    }

    private static string Zone(int serial, string firstAddress)
    {
        var text = new StringBuilder($"$ORIGIN many.test.\n$TTL 300\n@ IN SOA ns1 hostmaster {serial} 3600 900 604800 120\n@ NS ns1\nns1 A 192.0.2.53\nh0 A {firstAddress}\n");
        for (int i = 1; i < Records; i++)
        {
            text.Append('h').Append(i).Append(" A 198.51.").Append((i >> 8) & 255).Append('.').Append(i & 255).Append('\n');
        }

        return text.ToString();
    }

    [GeneratedRegex(@"Reload 2 \(SIGHUP\): .* garbage collections paused threads \d+ ms in (\d+) collections")]
    private static partial Regex ReloadLine();
}
