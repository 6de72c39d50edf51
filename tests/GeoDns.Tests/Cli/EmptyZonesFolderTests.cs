namespace GeoDns.Tests.Cli;

/// <summary><c>geodns serve</c> on a zones folder without any *.zone file: it serves nothing, and says so once.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class EmptyZonesFolderTests
{
    [Test]
    public async Task ServeWarnsOnceNamingTheFolder()
    {
        var directory = Path.Combine(Path.GetTempPath(), "geodns-empty-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "README.txt"), "not a zone");
            using var server = GeoDnsProcess.Start($"serve --zones \"{directory}\" --dns 127.0.0.1:{GeoDnsProcess.FreePort()}",
                new Dictionary<string, string> { ["GEODNS_WATCHZONES"] = "false" });
            Assert.That(await server.WaitForOutputAsync("Answering DNS on", TimeSpan.FromSeconds(30)), Is.True, server.Output);

            var warnings = server.Output.Split('\n').Where(l => l.Contains("warn:", StringComparison.Ordinal) && l.Contains(directory, StringComparison.Ordinal)).ToList();
            Assert.That(warnings, Has.Count.EqualTo(1), server.Output);
            Assert.That(warnings[0], Does.Contain("no *.zone files").IgnoreCase);

            server.Signal("TERM");
            Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(0), server.Output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
