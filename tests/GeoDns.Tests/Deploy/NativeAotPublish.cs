using GeoDns.Tests.Cli;

namespace GeoDns.Tests.Deploy;

/// <summary>
/// <c>geodns</c> published as a Native AOT executable, once per test run: the sources are copied to
/// a temporary folder and published there (the repository's bin and obj folders stay untouched).
/// Needs clang (the native linker) and zlib1g-dev; .ci/run installs both.
/// </summary>
internal static class NativeAotPublish
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static string? _folder;
    private static DirectoryInfo? _work;

    /// <summary>Names a folder holding an earlier publish to run instead of publishing again (while working on these tests).</summary>
    public const string Reuse = "GEODNS_AOT_FOLDER";

    /// <summary>Why the executable cannot be built here, or null when it can.</summary>
    public static string? Missing() =>
        OnPath("clang") ? null : "Native AOT needs clang (the native linker): apt-get install clang zlib1g-dev";

    /// <summary>The folder holding the published <c>geodns</c> executable (and libsodium.so beside it).</summary>
    public static async Task<string> FolderAsync(TimeSpan timeout)
    {
        await Once.WaitAsync();
        try
        {
            return _folder ??= Environment.GetEnvironmentVariable(Reuse) is { Length: > 0 } reused ? reused : await PublishAsync(timeout);
        }
        finally
        {
            Once.Release();
        }
    }

    private static async Task<string> PublishAsync(TimeSpan timeout)
    {
        string root = ProgramTests.RepositoryRoot();
        var work = _work = Directory.CreateTempSubdirectory("geodns-aot-");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" })
        {
            if (File.Exists(Path.Combine(root, file)))
            {
                File.Copy(Path.Combine(root, file), Path.Combine(work.FullName, file));
            }
        }

        foreach (var project in new[] { "GeoDns", "GeoDns.Core" })
        {
            CopySources(Path.Combine(root, "src", project), Path.Combine(work.FullName, "src", project));
        }

        string output = Path.Combine(work.FullName, "publish");
        var (exit, log) = await ChildProcess.RunAsync("dotnet",
            ["publish", "src/GeoDns/GeoDns.csproj", "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output],
            work.FullName, new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" }, timeout);
        Assert.That(exit, Is.EqualTo(0), $"dotnet publish -p:PublishAot=true failed:\n{log}");
        PublishLog = log;
        return output;
    }

    /// <summary>Deletes the sources and the publish (a few hundred MB); a later call publishes again.</summary>
    public static void Delete()
    {
        _work?.Delete(recursive: true);
        _work = null;
        _folder = null;
    }

    /// <summary>The publish's output (its warnings).</summary>
    public static string PublishLog { get; private set; } = string.Empty;

    private static void CopySources(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.EnumerateDirectories(from))
        {
            string name = Path.GetFileName(folder);
            if (name is not ("bin" or "obj"))
            {
                CopySources(folder, Path.Combine(to, name));
            }
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)));
}
