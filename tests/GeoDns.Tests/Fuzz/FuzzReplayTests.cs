using GeoDns.Fuzz;

namespace GeoDns.Tests.Fuzz;

/// <summary>
/// Replays every seed (tests/fuzz/corpus/TARGET/*) and every crash reproducer
/// (tests/fuzz/crashes/TARGET/*) through the same target code afl-fuzz runs (tests/GeoDns.Fuzz),
/// one NUnit case per file, as BIND and PowerDNS replay theirs: a bug the fuzzer found stays fixed.
/// A target throws on any crash or broken invariant.
/// </summary>
public sealed class FuzzReplayTests
{
    private static readonly string FuzzFolder = Path.Combine(Root(), "tests", "fuzz");

    public static IEnumerable<TestCaseData> Inputs() =>
        from kind in new[] { "corpus", "crashes" }
        let folder = Path.Combine(FuzzFolder, kind)
        where Directory.Exists(folder)
        from targetFolder in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal)
        from file in Directory.EnumerateFiles(targetFolder).Order(StringComparer.Ordinal)
        let target = Path.GetFileName(targetFolder)
        select new TestCaseData(target, Path.GetRelativePath(FuzzFolder, file)).SetName($"{kind}/{target}/{Path.GetFileName(file)}");

    [TestCaseSource(nameof(Inputs))]
    public void Replays(string target, string file)
    {
        Assert.That(FuzzTargets.All.TryGetValue(target, out var run), Is.True, $"no fuzz target '{target}' (folder of {file})");
        byte[] input = File.ReadAllBytes(Path.Combine(FuzzFolder, file));
        run!(input);
    }

    [Test]
    public void EveryTargetHasASeedCorpus()
    {
        foreach (string target in FuzzTargets.All.Keys)
        {
            string folder = Path.Combine(FuzzFolder, "corpus", target);
            Assert.That(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(), Is.True, $"{folder} has no seeds");
        }
    }

    [Test]
    public void EveryCorpusFolderIsATarget()
    {
        foreach (string kind in new[] { "corpus", "crashes" })
        {
            string folder = Path.Combine(FuzzFolder, kind);
            var names = Directory.Exists(folder) ? Directory.EnumerateDirectories(folder).Select(Path.GetFileName) : [];
            Assert.That(names, Is.SubsetOf(FuzzTargets.All.Keys), $"{folder} has a folder no target reads");
        }
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GeoDns.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no folder above {AppContext.BaseDirectory} holds GeoDns.sln");
    }
}
