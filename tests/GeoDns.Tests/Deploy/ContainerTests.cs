using System.Net;
using GeoDns.Tests.Health;
using GeoDns.Tests.Redis;
using GeoDns.Tests.Server;

namespace GeoDns.Tests.Deploy;

/// <summary>
/// deploy/Dockerfile and deploy/compose.yaml. No container engine runs here, so the files are
/// parsed and checked against each other and the docs, and what the containers would run is
/// run on loopback: the image's command with the image's environment, and the compose file's
/// two instances, Redis and backends, where stopping one backend must move both instances.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class ContainerTests
{
    private static readonly string[] GeoDnsServices = ["geodns-1", "geodns-2"];
    private static readonly string[] Backends = ["backend-a", "backend-b"];

    private static Dockerfile Image() => Dockerfile.Parse(DeployFiles.Read("deploy/Dockerfile"));

    private static Dictionary<string, object?> Services() => DeployFiles.Map(DeployFiles.Yaml("deploy/compose.yaml").Single(), "services");

    /// <summary>The image's settings: ENV GEODNS_* as configuration keys (GEODNS_Dns__0 -> Dns:0).</summary>
    private static Dictionary<string, string> ImageSettings() => Image().Environment()
        .Where(kv => kv.Key.StartsWith("GEODNS_", StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key["GEODNS_".Length..].Replace("__", ":", StringComparison.Ordinal), kv => kv.Value, StringComparer.OrdinalIgnoreCase);

    [Test]
    public void ImageBuildsWithTheSdkAndRunsOnTheAspNetRuntimeAsNonRoot()
    {
        var image = Image();
        var froms = image.All.Where(i => i.Instruction == "FROM").Select(i => i.Arguments).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(froms, Has.Count.EqualTo(2), "multi-stage: build, runtime");
            Assert.That(froms[0], Does.StartWith("mcr.microsoft.com/dotnet/sdk:10.0"));
            Assert.That(froms[1], Does.StartWith("mcr.microsoft.com/dotnet/aspnet:10.0"));
            var user = image.Runtimes("USER").LastOrDefault();
            Assert.That(user, Is.Not.Null.And.Not.EqualTo("root").And.Not.EqualTo("0"), "runs as a non-root user");
            Assert.That(image.ExecForm("ENTRYPOINT"), Is.EqualTo(new[] { "dotnet", "/app/geodns.dll" }));
            Assert.That(image.All.Any(i => i.Instruction == "RUN" && i.Arguments.Contains("dotnet publish src/GeoDns/GeoDns.csproj", StringComparison.Ordinal) && i.Arguments.Contains("-o /app", StringComparison.Ordinal)), Is.True);
        });

        // Every COPY source from the build context exists in the repository.
        foreach (var (_, arguments) in image.All.Where(i => i.Instruction == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal)))
        {
            var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[..^1])
            {
                Assert.That(File.Exists(DeployFiles.PathOf(source)) || Directory.Exists(DeployFiles.PathOf(source)), Is.True, $"COPY {source}: not in the repository");
            }
        }

        Assert.That(File.ReadAllText(DeployFiles.PathOf("deploy/Dockerfile.dockerignore")), Does.Contain("**/obj/"), "host build outputs stay out of the image");
    }

    /// <summary>
    /// The build stage, without Docker: its WORKDIR, COPY and RUN steps replayed in a temporary
    /// folder (container paths moved under it, bin/ and obj/ left out as the .dockerignore
    /// says), so a file the build needs but the COPY lines miss fails here. The published
    /// geodns.dll then runs.
    /// </summary>
    [Test]
    [CancelAfter(300_000)]
    public async Task ImageBuildStageBuildsFromWhatItCopies(CancellationToken token)
    {
        var image = Image();
        var folder = Directory.CreateTempSubdirectory("geodns-image-build-");
        try
        {
            string Container(string path) => Path.Combine(folder.FullName, path.TrimStart('/'));
            string workdir = folder.FullName;
            foreach (var (instruction, arguments) in image.All.TakeWhile(i => i.Instruction != "FROM" || i.Arguments.Contains("sdk", StringComparison.Ordinal)))
            {
                switch (instruction)
                {
                    case "WORKDIR":
                        workdir = Container(arguments);
                        Directory.CreateDirectory(workdir);
                        break;
                    case "COPY":
                        // Docker's rules: a folder's contents go into the destination; a file goes
                        // into it when it ends with '/' or there are several sources, else is renamed.
                        var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        var destination = parts[^1].StartsWith('/') ? Container(parts[^1]) : Path.Combine(workdir, parts[^1]);
                        bool intoFolder = parts[^1].EndsWith('/') || parts.Length > 2;
                        foreach (var source in parts[..^1])
                        {
                            var path = DeployFiles.PathOf(source);
                            CopyContext(path, Directory.Exists(path) || !intoFolder ? destination : Path.Combine(destination, Path.GetFileName(source)));
                        }

                        break;
                    case "RUN":
                        var command = System.Text.RegularExpressions.Regex.Replace(arguments, @"(?<=\s)/(app|src)\b", m => Container(m.Value));
                        var (exit, output) = await ChildProcess.RunAsync("bash", ["-c", command], workdir,
                            BuildEnvironment, TimeSpan.FromSeconds(240));
                        Assert.That(exit, Is.EqualTo(0), $"RUN {arguments}\n{output}");
                        break;
                }
            }

            var dll = Path.Combine(Container("/app"), "geodns.dll");
            Assert.That(File.Exists(dll), Is.True, "the build stage publishes /app/geodns.dll (the ENTRYPOINT)");
            var (versionExit, version) = await ChildProcess.RunAsync("dotnet", [dll, "version"], folder.FullName, null, TimeSpan.FromSeconds(60));
            Assert.That(versionExit, Is.EqualTo(0), version);
            Assert.That(version, Does.StartWith("geodns "));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A build that leaves no MSBuild node or compiler server running after it.</summary>
    internal static readonly Dictionary<string, string> BuildEnvironment = new(StringComparer.Ordinal)
    {
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        ["UseSharedCompilation"] = "false",
    };

    /// <summary>Copies a file, or a folder without bin/ and obj/ (deploy/Dockerfile.dockerignore).</summary>
    private static void CopyContext(string source, string destination)
    {
        if (File.Exists(source))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination, overwrite: true);
            return;
        }

        Assert.That(Directory.Exists(source), Is.True, $"COPY {source}: not in the repository");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            {
                continue;
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    [Test]
    public async Task ImageListensOnPort53AndItsHealthCheckIsAnAdminRoute()
    {
        var image = Image();
        var settings = ImageSettings();
        foreach (var key in settings.Keys)
        {
            Assert.That(DeployFiles.SettingKeys(), Does.Contain(key.Split(':')[0]), $"ENV GEODNS_{key}");
        }

        Assert.That(settings["Dns:0"], Is.EqualTo("0.0.0.0:53"));
        var admin = settings["Admin"];
        Assert.That(DeployFiles.HostOf(admin), Is.EqualTo("0.0.0.0"));
        int adminPort = DeployFiles.PortOf(admin);
        Assert.That(image.Exposed(), Is.EquivalentTo(new[] { "53/udp", "53/tcp", $"{adminPort}/tcp" }));

        var check = image.Runtimes("HEALTHCHECK").Single();
        var url = System.Text.RegularExpressions.Regex.Match(check, @"http://127\.0\.0\.1:(\d+)(/\S*)");
        Assert.That(url.Success, Is.True, check);
        Assert.That(int.Parse(url.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(adminPort));
        using var routes = await AdminRoutes.StartAsync();
        Assert.That(await routes.ExistsAsync(url.Groups[2].Value), Is.True, $"{url.Groups[2].Value} is not an admin route");
        Assert.That(url.Groups[2].Value, Is.EqualTo("/healthz"));
    }

    /// <summary>The image's ENTRYPOINT and CMD, with its ENV (addresses moved to free loopback ports), answer DNS and the health check.</summary>
    [Test]
    public async Task ImageCommandAndEnvironmentServe()
    {
        var image = Image();
        var folder = Directory.CreateTempSubdirectory("geodns-image-");
        try
        {
            int dns = DeployFiles.FreeDnsPort();
            int admin = DeployFiles.FreeTcpPort();
            var zones = Path.Combine(folder.FullName, "zones");
            Directory.CreateDirectory(zones);
            File.Copy(DeployFiles.PathOf("zones/example.com.zone"), Path.Combine(zones, "example.com.zone"));
            var environment = image.Environment().ToDictionary(kv => kv.Key, kv => kv.Value
                .Replace("0.0.0.0:53", $"127.0.0.1:{dns}", StringComparison.Ordinal)
                .Replace("0.0.0.0:8053", $"127.0.0.1:{admin}", StringComparison.Ordinal)
                .Replace(ImageSettings()["Zones"], zones, StringComparison.Ordinal));
            Assert.That(image.ExecForm("ENTRYPOINT")[0], Is.EqualTo("dotnet"));
            using var server = ChildProcess.StartGeoDns(image.ExecForm("CMD"), folder.FullName, environment);
            Assert.That(await server.WaitForOutputAsync("Answering DNS on", TimeSpan.FromSeconds(60)), Is.True, server.Output);
            Assert.That(server.Output, Does.Contain($"Answering DNS on 127.0.0.1:{dns}"));
            Assert.That(await DigTests.Dig(new IPEndPoint(IPAddress.Loopback, dns), "example.com SOA +short"), Does.Contain("hostmaster.example.com."));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var health = await http.GetAsync(new Uri($"http://127.0.0.1:{admin}/healthz"));
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void ComposeRunsTwoInstancesOnOneRedisWithTheZoneFolderMounted()
    {
        var services = Services();
        Assert.That(services.Keys, Is.EquivalentTo(new[] { "redis", "backend-a", "backend-b", "geodns-1", "geodns-2" }));
        var exposed = Image().Exposed();
        var instances = new HashSet<string>(StringComparer.Ordinal);
        var published = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in GeoDnsServices)
        {
            var service = services[name];
            Assert.That(DeployFiles.Text(service, "build.dockerfile"), Is.EqualTo("deploy/Dockerfile"), name);
            Assert.That(Path.GetFullPath(Path.Combine(DeployFiles.PathOf("deploy"), DeployFiles.Text(service, "build.context")!)), Is.EqualTo(DeployFiles.Root), name);
            var settings = DeployFiles.ServeSettings(DeployFiles.Strings(service, "command"), $"compose {name}");
            Assert.That(settings["Redis"], Is.EqualTo("redis:6379"), $"{name} uses the compose file's Redis");
            Assert.That(instances.Add(settings["Instance"]!), Is.True, $"{name}: --instance must differ between instances");
            Assert.That(settings["Dns:0"], Is.EqualTo("0.0.0.0:53"), name);
            Assert.That(settings["Admin"], Is.EqualTo("0.0.0.0:8053"), name);

            // The zones folder is a mounted folder of the repository; the token a compose secret.
            var mount = DeployFiles.Strings(service, "volumes").Select(v => v.Split(':')).Single(v => v[1] == settings["Zones"]);
            Assert.That(Directory.GetFiles(DeployFiles.PathOf(Path.Combine("deploy", mount[0])), "*.zone"), Is.Not.Empty, name);
            var secrets = DeployFiles.Strings(service, "secrets");
            Assert.That(secrets.Select(s => $"/run/secrets/{s}"), Is.EquivalentTo(new[] { settings["AdminTokenFile"], settings["Cookies:SecretFile"] }), name);
            foreach (var secret in secrets)
            {
                Assert.That(File.Exists(ComposeSecretFile(secret)), Is.True, secret);
            }

            // Both instances share one cookie secret, and serve accepts it.
            Assert.That(new Hosting.CookieSettings { SecretFile = ComposeSecretFile(settings["Cookies:SecretFile"]![13..]) }.Build(TimeProvider.System), Is.Not.Null, name);

            // Published ports: container ports the image exposes, on loopback of the host.
            foreach (var port in DeployFiles.Strings(service, "ports"))
            {
                var parts = port.Split(':');
                Assert.That(parts, Has.Length.EqualTo(3), port);
                Assert.That(parts[0], Is.EqualTo("127.0.0.1"), port);
                Assert.That(exposed, Does.Contain(parts[2]), $"{name} publishes {port}, which the image does not EXPOSE");
                published.Add($"{parts[1]}->{parts[2]}");
            }

            Assert.That(DeployFiles.Strings(service, "ports").Select(p => p.Split(':')[2]), Is.SupersetOf(new[] { "53/udp", "53/tcp", "8053/tcp" }), name);
        }

        Assert.That(DeployFiles.Text(services["redis"], "image"), Does.StartWith("redis:"));
        foreach (var (host, container) in published.Select(p => p.Split("->")).Select(p => (p[0], p[1])))
        {
            // docs/deploy.md uses these ports: dig -p 5301 for 53, curl :8051 for 8053.
            var docs = DeployFiles.Read("docs/deploy.md");
            Assert.That(container.StartsWith("53/", StringComparison.Ordinal) ? docs.Contains($"-p {host} ", StringComparison.Ordinal) : docs.Contains($"127.0.0.1:{host}/", StringComparison.Ordinal),
                Is.True, $"docs/deploy.md does not use the published port {host} ({container})");
        }
    }

    /// <summary>The host file behind a compose secret (<c>secrets.NAME.file</c>, relative to deploy/).</summary>
    private static string ComposeSecretFile(string secret) =>
        DeployFiles.PathOf(Path.Combine("deploy", DeployFiles.Text(DeployFiles.Yaml("deploy/compose.yaml").Single(), $"secrets.{secret}.file")!));

    [Test]
    public void ComposeZoneMembersAreTheComposeBackends()
    {
        var services = Services();
        var zone = DeployFiles.Read("deploy/compose/zones/demo.example.zone");
        var members = System.Text.RegularExpressions.Regex.Matches(zone, @"MEMBER\s+\S+\s+(\S+)").Select(m => m.Groups[1].Value).ToList();
        var addresses = Backends.Select(b => DeployFiles.Text(services[b], "networks.demo.ipv4_address")).ToList();
        Assert.That(members, Is.EqualTo(addresses), "the pool's members, in failover order, are backend-a then backend-b");
        var check = System.Text.RegularExpressions.Regex.Match(zone, @"\$CHECK\s+\S+\s+http\s+\(([^)]*)\)");
        Assert.That(check.Success, Is.True);
        foreach (var backend in Backends)
        {
            var command = string.Join(' ', DeployFiles.Strings(services[backend], "command"));
            Assert.That(command, Does.Contain(" -p " + System.Text.RegularExpressions.Regex.Match(check.Groups[1].Value, @"port=(\d+)").Groups[1].Value + " "), $"{backend} listens on the check's port");
            Assert.That(command, Does.Contain("echo ok > /www/healthz"), $"{backend} serves the check's path and body");
        }

        Assert.That(check.Groups[1].Value, Does.Contain("path=/healthz").And.Contain("body=ok"));
    }

    /// <summary>
    /// What <c>docker compose up</c> shows, on loopback: the compose file's two geodns commands
    /// (addresses moved to free loopback ports), one real Redis, its zone with the backends
    /// moved to 127.0.0.2/127.0.0.3, and the compose token. Both answer backend-a; backend-a
    /// stops; both answer backend-b. Then a drain on one instance reaches the other.
    /// </summary>
    [Test]
    [CancelAfter(120_000)]
    public async Task ComposeFailoverIsSeenByBothInstances(CancellationToken token)
    {
        var services = Services();
        var folder = Directory.CreateTempSubdirectory("geodns-compose-");
        using var redis = RedisServer.Start();
        var backendA = new TestHttpServer(IPAddress.Parse("127.0.0.2")) { Body = "ok\n" };
        await using var backendB = new TestHttpServer(IPAddress.Parse("127.0.0.3"), backendA.Port) { Body = "ok\n" };
        var instances = new List<(ChildProcess Process, IPEndPoint Dns, int Admin)>();
        bool backendAStopped = false;
        try
        {
            var zones = Path.Combine(folder.FullName, "zones");
            Directory.CreateDirectory(zones);
            var addresses = Backends.Select(b => DeployFiles.Text(services[b], "networks.demo.ipv4_address")!).ToList();
            var zone = DeployFiles.Read("deploy/compose/zones/demo.example.zone")
                .Replace(addresses[0], "127.0.0.2", StringComparison.Ordinal)
                .Replace(addresses[1], "127.0.0.3", StringComparison.Ordinal)
                .Replace("port=8080", $"port={backendA.Port}", StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(zones, "demo.example.zone"), zone, token);
            var tokenFile = DeployFiles.PathOf("deploy/compose/admin.token");
            var adminToken = (await File.ReadAllTextAsync(tokenFile, token)).Trim();

            foreach (var name in GeoDnsServices)
            {
                int dns = DeployFiles.FreeDnsPort();
                int admin = DeployFiles.FreeTcpPort();
                var command = DeployFiles.Strings(services[name], "command").Select(a => a switch
                {
                    "/etc/geodns/zones" => zones,
                    "0.0.0.0:53" => $"127.0.0.1:{dns}",
                    "0.0.0.0:8053" => $"127.0.0.1:{admin}",
                    "redis:6379" => redis.Configuration,
                    _ when a.StartsWith("/run/secrets/", StringComparison.Ordinal) => ComposeSecretFile(a["/run/secrets/".Length..]),
                    _ => a,
                }).ToList();
                instances.Add((ChildProcess.StartGeoDns(command, folder.FullName), new IPEndPoint(IPAddress.Loopback, dns), admin));
            }

            foreach (var (process, dns, _) in instances)
            {
                await WaitForAnswerAsync(process, dns, "127.0.0.2", TimeSpan.FromSeconds(60), token);
            }

            await backendA.DisposeAsync();
            backendAStopped = true;
            var stopped = System.Diagnostics.Stopwatch.StartNew();
            foreach (var (process, dns, _) in instances)
            {
                await WaitForAnswerAsync(process, dns, "127.0.0.3", TimeSpan.FromSeconds(10), token);
            }

            TestContext.Out.WriteLine($"both instances answer backend-b {stopped.ElapsedMilliseconds} ms after backend-a stopped");

            // docs/deploy.md: a drain made on geodns-1 reaches geodns-2 through Redis.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{instances[0].Admin}/api/v1/regions/secondary/drain"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminToken);
            using var drained = await http.SendAsync(request, token);
            Assert.That(drained.StatusCode, Is.EqualTo(HttpStatusCode.OK), await drained.Content.ReadAsStringAsync(token));
            var overrides = await http.GetStringAsync(new Uri($"http://127.0.0.1:{instances[1].Admin}/api/v1/overrides"), token);
            Assert.That(overrides, Does.Contain("\"drainedRegions\":[\"secondary\"]"));
        }
        finally
        {
            foreach (var (process, _, _) in instances)
            {
                process.Dispose();
            }

            if (!backendAStopped)
            {
                await backendA.DisposeAsync();
            }

            folder.Delete(recursive: true);
        }
    }

    private static async Task WaitForAnswerAsync(ChildProcess process, IPEndPoint dns, string expected, TimeSpan timeout, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            token.ThrowIfCancellationRequested();
            if (process.Output.Contains("Answering DNS on", StringComparison.Ordinal))
            {
                last = (await DigTests.Dig(dns, "www.demo.example A +short")).Trim();
                if (last == expected)
                {
                    return;
                }
            }

            await Task.Delay(100, token);
        }

        Assert.Fail($"{dns} answered '{last}', not {expected}, within {timeout.TotalSeconds} s:\n{process.Output}");
    }
}
