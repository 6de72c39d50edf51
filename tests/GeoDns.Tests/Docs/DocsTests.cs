using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GeoDns.Cli;
using GeoDns.Tests.Deploy;

namespace GeoDns.Tests.Docs;

/// <summary>
/// The docs cannot rot. Every <c>sh</c> block of README.md and docs/*.md is run, in order, by
/// bash against a real <c>geodns serve</c> on loopback, and its output must hold the lines of
/// the <c>text</c> block that follows it. Blocks that need root, a network or a container
/// engine are plain blocks: their <c>geodns</c> commands are parsed with the program's own
/// option tables. Every admin path the docs name is a route of the running admin API, and
/// every <c>--option</c> the prose names is an option of geodns.
/// </summary>
[TestFixture]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Parallelizable(ParallelScope.None)]
public sealed partial class DocsTests
{
    /// <summary>Programs an <c>sh</c> block may run (on loopback, in a sandbox folder).</summary>
    private static readonly HashSet<string> Runnable = new(StringComparer.Ordinal)
    {
        "dig", "geodns", "curl", "head", "base64", "install", "chmod", "cat", "mkdir", "echo", "printf", "sleep", "test", "grep", "ln", "dotnet", "command",
        "dnssec-keygen", "dnssec-settime", // the key rollovers of docs/dnssec.md, on the sandbox's keys folder
    };

    /// <summary>Options the prose names that belong to other programs (dig, dotnet, curl, kubectl).</summary>
    private static readonly HashSet<string> OtherPrograms = new(StringComparer.Ordinal)
    {
        "--project", "--channel", "--filter", "--no-build", "--dry-run", "--from-literal", "--root", "--load-restrictor", "--self-contained",
    };

    private static string Root => DeployFiles.Root;

    public static IEnumerable<string> Documents() => Markdown.Documents(DeployFiles.Root);

    [TestCaseSource(nameof(Documents))]
    [CancelAfter(900_000)] // the README's install line publishes a Native AOT executable
    public async Task ShellBlocksRunAndPrintWhatTheDocsShow(string document, CancellationToken token)
    {
        var blocks = Markdown.Blocks(Root, document);
        if (!blocks.Any(b => b.Info == "sh"))
        {
            Assert.Pass($"{document} has no sh block");
        }

        using var runner = new DocRunner();
        int ran = 0;
        for (int i = 0; i < blocks.Count; i++)
        {
            if (blocks[i].Info != "sh")
            {
                continue;
            }

            var expected = i + 1 < blocks.Count && blocks[i + 1].Info == "text" && blocks[i + 1].Line <= LastLine(blocks[i]) + 3
                ? blocks[i + 1] : null;
            var output = await runner.RunAsync(blocks[i], token);
            ran++;
            if (expected is not null)
            {
                AssertShows(output, expected, blocks[i]);
            }
        }

        TestContext.Out.WriteLine($"{document}: {ran} sh blocks run");
    }

    private static int LastLine(CodeBlock block) => block.Line + block.Text.Count(c => c == '\n') + 1;

    /// <summary>Every non-empty line of <paramref name="expected"/> appears in <paramref name="output"/>, in order (blanks compared as one space).</summary>
    private static void AssertShows(string output, CodeBlock expected, CodeBlock block)
    {
        var actual = Blanks().Replace(output, " ");
        int at = 0;
        foreach (var line in expected.Text.Split('\n').Select(l => Blanks().Replace(l, " ").Trim()).Where(l => l.Length > 0))
        {
            int found = actual.IndexOf(line, at, StringComparison.Ordinal);
            Assert.That(found, Is.GreaterThanOrEqualTo(0), $"{expected}: the output of {block} does not show (in this order)\n  {line}\nOutput:\n{output}");
            at = found + line.Length;
        }
    }

    [TestCaseSource(nameof(Documents))]
    public void EveryGeoDnsCommandInTheDocsIsOneGeoDnsAccepts(string document)
    {
        int checkedCommands = 0;
        foreach (var block in Markdown.Blocks(Root, document).Where(b => b.Info is "" or "sh" or "console" or "shell"))
        {
            foreach (var command in Markdown.Commands(block.Text))
            {
                foreach (var words in Markdown.SimpleCommands(command))
                {
                    if (Markdown.GeoDnsArguments(words) is { } arguments)
                    {
                        Assert.That(Markdown.GeoDnsProblem(arguments), Is.Null, $"{block}: {command}");
                        checkedCommands++;
                    }
                }
            }
        }

        // In the prose: `geodns VERB ...` names a verb; every `--option` is one of geodns (or of another named program).
        // The verbs against a running server add --server, --token-file, --json (every one), and
        // --name, --dns, --timeout (drill); OperatorVerbsTests runs them.
        var options = ServeCommand.Options.Select(o => o.Option).Concat(ExplainCommand.OptionNames())
            .Concat(["--server", "--token-file", "--json", "--name", "--dns", "--timeout", "--help"])
            .Concat(["--algorithm", "--ksk", "--zsk", "--csk"]).ToHashSet(StringComparer.Ordinal);
        foreach (var span in Markdown.InlineCode(Markdown.Prose(Root, document)))
        {
            if (span.StartsWith("geodns ", StringComparison.Ordinal))
            {
                var verb = span.Split(' ')[1].TrimEnd(':');
                Assert.That(verb == "VERB" ? "help" : verb, Is.AnyOf("serve", "check", "explain", "help", "version", "status", "drain", "undrain", "force", "pin", "unpin", "reload", "drill", "keygen", "ds"), $"{document}: `{span}` names no verb of geodns");
            }

            foreach (Match option in Option().Matches(span))
            {
                Assert.That(options.Contains(option.Value) || OtherPrograms.Contains(option.Value), Is.True, $"{document}: `{span}`: {option.Value} is not an option of geodns");
                checkedCommands++;
            }
        }

        TestContext.Out.WriteLine($"{document}: {checkedCommands} commands and options checked");
    }

    [Test]
    public async Task EveryAdminPathTheDocsNameIsARoute()
    {
        using var routes = await AdminRoutes.StartAsync();
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var document in Documents())
        {
            foreach (var block in Markdown.Blocks(Root, document))
            {
                paths.UnionWith(Markdown.AdminPaths(block.Text).Select(p => $"{p}\t{block}"));
            }

            paths.UnionWith(Markdown.InlineCode(Markdown.Prose(Root, document)).SelectMany(Markdown.AdminPaths).Select(p => $"{p}\t{document}"));
        }

        Assert.That(paths.Select(p => p.Split('\t')[0]), Does.Contain("/api/v1/regions/eu-west/drain").And.Contain("/readyz"));
        foreach (var entry in paths)
        {
            var (path, where) = (entry.Split('\t')[0], entry.Split('\t')[1]);
            Assert.That(await routes.ExistsAsync(path), Is.True, $"{where}: {path} is not a route of the admin API");
        }
    }

    [Test]
    public void ReadmeSettingsTableNamesEveryOptionAndSetting()
    {
        var readme = DeployFiles.Read("README.md");
        foreach (var (option, key, _, _, _) in ServeCommand.Options)
        {
            Assert.That(readme, Does.Contain($"| `{option} "), $"README settings table: {option}");
            if (key != "ConfigFile")
            {
                Assert.That(readme, Does.Contain($"| `{key}`"), $"README settings table: key {key}");
            }
        }

        foreach (var property in typeof(Hosting.GeoDnsOptions).GetProperties().Where(p => p.CanWrite))
        {
            Assert.That(readme, Does.Contain($"`{property.Name}`"), $"README settings table: {property.Name}");
        }

        Assert.That(readme, Does.Contain($"`{Hosting.GeoDnsOptions.DefaultDns}`"), "the default DNS address");
    }

    /// <summary>The README's --config example is samples/geodns.json; it and the systemd unit's file bind and serve.</summary>
    [TestCase("samples/geodns.json")]
    [TestCase("deploy/systemd/geodns.json")]
    [CancelAfter(120_000)]
    public async Task ConfigFilesServe(string file, CancellationToken token)
    {
        var text = DeployFiles.Read(file);
        DeployFiles.AssertKnownSettings(text, file);
        if (file == "samples/geodns.json")
        {
            var json = Markdown.Blocks(Root, "README.md").Single(b => b.Info == "json").Text;
            Assert.That(Blanks().Replace(json, " ").Trim(), Is.EqualTo(Blanks().Replace(text, " ").Trim()), "README's example is samples/geodns.json");
        }

        var folder = Directory.CreateTempSubdirectory("geodns-config-");
        try
        {
            int dns = DeployFiles.FreeDnsPort();
            int admin = DeployFiles.FreeTcpPort();
            var config = JsonNode.Parse(text)!.AsObject();
            config["Zones"] = DeployFiles.PathOf("zones");
            config["Dns"] = new JsonArray($"127.0.0.1:{dns}");
            config["Admin"] = $"127.0.0.1:{admin}";
            config["GeoIp"] = DeployFiles.PathOf("samples/geoip/GeoLite2-City-Test.mmdb");
            if (config.ContainsKey("AdminTokenFile"))
            {
                var tokenFile = Path.Combine(folder.FullName, "admin.token");
                await File.WriteAllTextAsync(tokenFile, "secret\n", token);
                config["AdminTokenFile"] = tokenFile;
            }

            if (config["Redis"] is { } redis)
            {
                // Nothing listens there: the instance starts fail-static and answers anyway.
                config["Redis"] = Regex.Replace(redis.GetValue<string>(), @"^[^,]+", $"127.0.0.1:{DeployFiles.FreeTcpPort()}");
            }

            var path = Path.Combine(folder.FullName, "geodns.json");
            await File.WriteAllTextAsync(path, config.ToJsonString(), token);
            using var server = ChildProcess.StartGeoDns(["serve", "--config", path], folder.FullName);
            Assert.That(await server.WaitForOutputAsync($"Answering DNS on 127.0.0.1:{dns}", TimeSpan.FromSeconds(60)), Is.True, server.Output);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{admin}/readyz"), token);
            Assert.That((int)ready.StatusCode, Is.EqualTo(200), await ready.Content.ReadAsStringAsync(token));
            if (config["LogFormat"]?.GetValue<string>() == "json")
            {
                var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.That(lines, Is.Not.Empty.And.All.StartsWith("{"), "LogFormat json: one JSON object per line");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Blanks();

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z0-9-]*")]
    private static partial Regex Option();

    /// <summary>
    /// Runs one document's sh blocks in a sandbox: a <c>geodns</c> on the PATH that runs the
    /// built program (or the one the docs publish), /etc/geodns, /opt/geodns and /usr/local/bin
    /// moved into a temporary folder, the DNS port 5300 and the
    /// admin port 8053 moved to free ones. A block that starts <c>geodns serve</c> replaces the
    /// running server; a block that needs one before any did gets the README's admin command.
    /// </summary>
    private sealed class DocRunner : IDisposable
    {
        private const string DefaultServe = "geodns serve --zones zones --geoip samples/geoip/GeoLite2-City-Test.mmdb --admin 127.0.0.1:8053 --admin-token-file /etc/geodns/admin.token";

        private readonly DirectoryInfo _sandbox = Directory.CreateTempSubdirectory("geodns-docs-");
        private readonly int _dns = DeployFiles.FreeDnsPort();
        private readonly int _admin = DeployFiles.FreeTcpPort();
        private readonly List<string> _assignments = [];
        private readonly Dictionary<string, string> _environment;
        private ChildProcess? _server;

        public DocRunner()
        {
            var bin = Directory.CreateDirectory(Path.Combine(_sandbox.FullName, "bin")).FullName;
            var installed = Directory.CreateDirectory(Path.Combine(_sandbox.FullName, "usr/local/bin")).FullName;
            var wrapper = Path.Combine(bin, "geodns");
            File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet \"{Tests.Cli.GeoDnsProcess.Dll}\" \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            _environment = new Dictionary<string, string>(ContainerTests.BuildEnvironment, StringComparer.Ordinal)
            {
                // A geodns the docs install (/usr/local/bin, moved) comes first, else the built one.
                ["PATH"] = $"{installed}:{bin}:{Environment.GetEnvironmentVariable("PATH")}",
                ["GEODNS_Dns__0"] = $"127.0.0.1:{_dns}", // the default address, for serve lines without --dns
            };
        }

        public async Task<string> RunAsync(CodeBlock block, CancellationToken token)
        {
            var commands = Markdown.Commands(block.Text);
            foreach (var command in commands)
            {
                Assert.That(CannotRun(command), Is.Null, $"{block}: `{command}` cannot run on loopback in the tests ({CannotRun(command)}): put it in a plain ``` block");
            }

            if (_server is null && !commands.Any(IsServe))
            {
                Directory.CreateDirectory(Rewrite("/etc/geodns"));
                await File.WriteAllTextAsync(Rewrite("/etc/geodns/admin.token"), "docs-token\n", token);
                await StartServerAsync(DefaultServe, block);
            }

            var output = new System.Text.StringBuilder();
            var pending = new List<string>();
            foreach (var command in commands)
            {
                if (IsServe(command))
                {
                    output.Append(await RunScriptAsync(pending, block, token));
                    pending.Clear();
                    await StartServerAsync(command, block);
                    continue;
                }

                pending.Add(command);
                if (Markdown.IsAssignment(command))
                {
                    _assignments.Add(Rewrite(command));
                }
            }

            output.Append(await RunScriptAsync(pending, block, token));
            return output.ToString();
        }

        private static bool IsServe(string command) => Markdown.SimpleCommands(command).Any(w => Markdown.GeoDnsArguments(w) is ["serve", ..]);

        /// <summary>Null when every simple command of the line may run here; else why not.</summary>
        private static string? CannotRun(string command)
        {
            foreach (var words in Markdown.SimpleCommands(command))
            {
                var program = words.FirstOrDefault(w => !Markdown.IsAssignment(w));
                if (program is null)
                {
                    continue;
                }

                if (Markdown.GeoDnsArguments(words) is { } arguments)
                {
                    if (Markdown.GeoDnsProblem(arguments) is { } problem)
                    {
                        return problem;
                    }

                    if (arguments[0] == "serve" && (words.Contains("--dns") || words.Any(w => w.StartsWith("--dns=", StringComparison.Ordinal))))
                    {
                        return "serve with --dns: use the default 127.0.0.1:5300";
                    }

                    if (arguments[0] == "serve" && words.SkipWhile(w => w != "--admin").Skip(1).FirstOrDefault() is { } admin && admin != "127.0.0.1:8053")
                    {
                        return "the admin API at 127.0.0.1:8053 only";
                    }

                    continue;
                }

                if (!Runnable.Contains(program))
                {
                    return $"{program} is not run by the docs tests";
                }

                if (program == "dotnet" && words.ElementAtOrDefault(1) != "publish")
                {
                    return "dotnet publish only";
                }

                if (program == "dig" && !(words.Contains("@127.0.0.1") && string.Join(' ', words).Contains("-p 5300", StringComparison.Ordinal)))
                {
                    return "dig @127.0.0.1 -p 5300 only";
                }

                if (program == "curl" && !words.Any(w => w.StartsWith("http://127.0.0.1:8053/", StringComparison.Ordinal)))
                {
                    return "curl http://127.0.0.1:8053/ only";
                }
            }

            return null;
        }

        private string Rewrite(string command) => command
            .Replace("dotnet run --project src/GeoDns -c Release -- ", "geodns ", StringComparison.Ordinal)
            .Replace("-p 5300", $"-p {_dns}", StringComparison.Ordinal)
            .Replace("127.0.0.1:5300", $"127.0.0.1:{_dns}", StringComparison.Ordinal)
            .Replace("127.0.0.1:8053", $"127.0.0.1:{_admin}", StringComparison.Ordinal)
            .Replace("/etc/geodns", Path.Combine(_sandbox.FullName, "etc/geodns"), StringComparison.Ordinal)
            .Replace("/opt/geodns", Path.Combine(_sandbox.FullName, "opt/geodns"), StringComparison.Ordinal)
            .Replace("/usr/local/bin", Path.Combine(_sandbox.FullName, "usr/local/bin"), StringComparison.Ordinal);

        private async Task StartServerAsync(string command, CodeBlock block)
        {
            _server?.Dispose();
            Directory.CreateDirectory(Path.Combine(_sandbox.FullName, "etc/geodns"));
            _server = ChildProcess.Start("bash", ["-c", "exec " + Rewrite(command)], Root, _environment);
            Assert.That(await _server.WaitForOutputAsync("Answering DNS on", TimeSpan.FromSeconds(60)), Is.True, $"{block}: {command}\n{_server.Output}");
            if (command.Contains("--admin ", StringComparison.Ordinal))
            {
                Assert.That(await _server.WaitForOutputAsync("Admin API listening", TimeSpan.FromSeconds(10)), Is.True, $"{block}: {command}\n{_server.Output}");
            }
        }

        private async Task<string> RunScriptAsync(List<string> commands, CodeBlock block, CancellationToken token)
        {
            if (commands.Count == 0)
            {
                return string.Empty;
            }

            var script = string.Join('\n', new[] { "set -e -o pipefail" }.Concat(_assignments).Concat(commands.Select(Rewrite)));
            // The README's install line compiles a Native AOT executable: minutes, not seconds.
            var limit = script.Contains("PublishAot=true", StringComparison.Ordinal) ? TimeSpan.FromMinutes(10) : TimeSpan.FromSeconds(180);
            var (exit, output) = await ChildProcess.RunAsync("bash", ["-c", script], Root, _environment, limit);
            Assert.That(exit, Is.EqualTo(0), $"{block} failed:\n{string.Join('\n', commands)}\n---\n{output}\n--- server:\n{_server?.Output}");
            token.ThrowIfCancellationRequested();

            // Shown as the docs would show it: the sandbox's folders and ports back to the documented ones.
            return output.Replace(_sandbox.FullName, string.Empty, StringComparison.Ordinal)
                .Replace($"127.0.0.1:{_admin}", "127.0.0.1:8053", StringComparison.Ordinal)
                .Replace($"127.0.0.1:{_dns}", "127.0.0.1:5300", StringComparison.Ordinal);
        }

        public void Dispose()
        {
            _server?.Dispose();
            _sandbox.Delete(recursive: true);
        }
    }
}
