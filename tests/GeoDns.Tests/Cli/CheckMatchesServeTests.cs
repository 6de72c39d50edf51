using System.Text;
using GeoDns.Tests.Server;

namespace GeoDns.Tests.Cli;

/// <summary>
/// <c>geodns check</c> runs every stage <c>geodns serve</c> runs: a zone serve rejects, check
/// rejects with the same file:line:column message and exit status 1.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class CheckMatchesServeTests
{
    private const string Header = """
        $ORIGIN bad.test.
        $TTL 60
        @ SOA ns h 1 2 3 4 5
        @ NS ns
        ns A 192.0.2.1
        $REGION r1 continents=EU

        """;

    private string _directory = null!;

    [SetUp]
    public void MakeFolder() => _directory = Directory.CreateTempSubdirectory("geodns-check-serve-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_directory, recursive: true);

    private static string PoolOf(int members)
    {
        var text = new StringBuilder("www POOL A policy=weighted\n");
        for (int i = 0; i < members; i++)
        {
            text.Append($"www MEMBER r1 10.0.{i / 256}.{i % 256}\n");
        }

        return text.ToString();
    }

    private static IEnumerable<TestCaseData> Rejected()
    {
        yield return new TestCaseData(PoolOf(257), "bad.test.zone:264:", "at most 256").SetName("APoolOf257Members");
        yield return new TestCaseData("$CHECK d dns type=AXFR\nwww POOL A check=d\nwww MEMBER r1 192.0.2.9\n", "bad.test.zone:7:", "AXFR cannot be asked")
            .SetName("ADnsCheckOfATypeNoQueryCanAsk");
        yield return new TestCaseData("$CHECK d dns type=LOC answer=1.2.3.4\nwww POOL A check=d\nwww MEMBER r1 192.0.2.9\n", "bad.test.zone:7:", "not LOC")
            .SetName("ADnsCheckComparingAnswersItCannotRead");
    }

    [TestCaseSource(nameof(Rejected))]
    public async Task CheckAndServeRejectTheZoneAlike(string body, string place, string message)
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "bad.test.zone"), Header + body);

        var (exit, output) = await GeoDnsProcess.RunAsync($"check \"{_directory}\"");
        Assert.That(exit, Is.EqualTo(1), output);
        var error = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains(place, StringComparison.Ordinal) && l.Contains(message, StringComparison.Ordinal));
        Assert.That(error, Is.Not.Null, output);

        using var server = GeoDnsProcess.Start($"serve --zones \"{_directory}\" --dns 127.0.0.1:0",
            new Dictionary<string, string> { ["GEODNS_WATCHZONES"] = "false" });
        Assert.That(await server.WaitForOutputAsync("not loaded", TimeSpan.FromSeconds(30)), Is.True, server.Output);
        Assert.That(server.Output, Does.Contain(error), "serve names the same place and problem as check");
    }

    [Test]
    public async Task TheSameZoneWithoutTheProblemPassesBoth()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "bad.test.zone"),
            Header + PoolOf(256) + "$CHECK d dns type=LOC\nother POOL A check=d\nother MEMBER r1 192.0.2.9\n");
        var (exit, output) = await GeoDnsProcess.RunAsync($"check \"{_directory}\"");
        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("0 errors"));
    }
}
