namespace GeoDns.Tests.Deploy;

/// <summary>deploy/systemd/geodns.service: verified by systemd, and it runs geodns with options geodns has.</summary>
[TestFixture]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Parallelizable(ParallelScope.None)]
public sealed class SystemdUnitTests
{
    private const string Unit = "deploy/systemd/geodns.service";

    /// <summary>The [Service] keys of the unit (a key given twice keeps both values, joined by a space).</summary>
    /// <summary>The names of the unit's LoadCredential= lines, each checked to come from /etc/geodns/.</summary>
    private static List<string> Credentials(Dictionary<string, string> service) =>
        service["LoadCredential"].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c =>
        {
            Assert.That(c, Does.Match("^[a-z.]+:/etc/geodns/"), c);
            return c[..c.IndexOf(':', StringComparison.Ordinal)];
        }).ToList();

    private static Dictionary<string, string> Service()
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        string section = string.Empty;
        foreach (var raw in DeployFiles.Read(Unit).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                section = line;
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (section == "[Service]" && equals > 0)
            {
                var key = line[..equals];
                keys[key] = keys.TryGetValue(key, out var before) ? $"{before} {line[(equals + 1)..]}" : line[(equals + 1)..];
            }
        }

        return keys;
    }

    [Test]
    public async Task SystemdAnalyzeVerifyIsClean()
    {
        if (!File.Exists("/usr/bin/systemd-analyze") && !File.Exists("/bin/systemd-analyze"))
        {
            Assert.Ignore("systemd-analyze is not installed (Debian: apt-get install systemd; .ci/run installs it)");
        }

        // verify also checks that ExecStart's program exists: point it at a stand-in in a temporary folder.
        var folder = Directory.CreateTempSubdirectory("geodns-unit-");
        try
        {
            var program = Path.Combine(folder.FullName, "geodns");
            await File.WriteAllTextAsync(program, "#!/bin/sh\nexit 0\n");
            File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var unit = Path.Combine(folder.FullName, "geodns.service");
            await File.WriteAllTextAsync(unit, DeployFiles.Read(Unit).Replace("/opt/geodns/geodns", program, StringComparison.Ordinal));

            var (exit, output) = await ChildProcess.RunAsync("systemd-analyze", ["verify", unit], folder.FullName, null, TimeSpan.FromSeconds(60));
            Assert.That(exit, Is.EqualTo(0), output);
            Assert.That(output.Trim(), Is.Empty, "systemd-analyze verify printed warnings (unknown keys are only warnings)");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void UnitRunsThePublishedProgramWithOptionsItHas()
    {
        var service = Service();
        var exec = service["ExecStart"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            // README: dotnet publish src/GeoDns -c Release -r linux-x64 -p:PublishAot=true -o /opt/geodns
            Assert.That(exec[0], Is.EqualTo("/opt/geodns/geodns"));
            Assert.That(DeployFiles.Read("README.md"), Does.Contain("dotnet publish src/GeoDns -c Release -r linux-x64 -p:PublishAot=true -o /opt/geodns"));
            Assert.That(service["Type"], Is.EqualTo("exec"), "the program sends no sd_notify: Type=notify would never become ready");
            Assert.That(service["ExecReload"], Is.EqualTo("/bin/kill -HUP $MAINPID"));
        });

        var settings = DeployFiles.ServeSettings(exec[1..], Unit);
        var config = settings["ConfigFile"]!;
        Assert.That(config, Does.StartWith("/etc/geodns/"));
        var json = DeployFiles.Read(Path.Combine("deploy/systemd", Path.GetFileName(config)));
        DeployFiles.AssertKnownSettings(json, "deploy/systemd/geodns.json");

        // The token comes in as a credential: %d is the credentials folder.
        var token = settings["AdminTokenFile"]!;
        Assert.That(token, Does.StartWith("%d/"));
        var cookieSecret = settings["Cookies:SecretFile"]!;
        Assert.That(cookieSecret, Does.StartWith("%d/"));
        Assert.That(Credentials(service), Is.EquivalentTo(new[] { token[3..], cookieSecret[3..] }), "every credential the command reads is loaded");

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var dns = doc.RootElement.GetProperty("Dns").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.That(dns.Select(DeployFiles.PortOf), Does.Contain(53), "the unit's config answers on port 53");
    }

    [Test]
    public void UnitRunsUnprivilegedAndHardened()
    {
        var service = Service();
        Assert.Multiple(() =>
        {
            Assert.That(service.GetValueOrDefault("DynamicUser") == "yes" || service.ContainsKey("User"), Is.True, "DynamicUser=yes or a User=");
            Assert.That(service["AmbientCapabilities"].Split(' '), Is.EquivalentTo(new[] { "CAP_NET_BIND_SERVICE", "CAP_NET_RAW" }));
            Assert.That(service["CapabilityBoundingSet"].Split(' '), Is.EquivalentTo(new[] { "CAP_NET_BIND_SERVICE", "CAP_NET_RAW" }));
            Assert.That(service["NoNewPrivileges"], Is.EqualTo("yes"));
            Assert.That(service["ProtectSystem"], Is.EqualTo("strict"));
            Assert.That(service["ProtectHome"], Is.EqualTo("yes"));
            Assert.That(service["PrivateTmp"], Is.EqualTo("yes"));
            Assert.That(service["SystemCallFilter"], Is.EqualTo("@system-service"));
            Assert.That(service["RestrictAddressFamilies"].Split(' '), Is.SupersetOf(new[] { "AF_INET", "AF_INET6" }));
            Assert.That(service, Does.Not.ContainKey("MemoryDenyWriteExecute"), "the .NET JIT needs writable, executable memory");
            Assert.That(service["WorkingDirectory"], Is.Not.EqualTo("/"), "the host watches its content root for appsettings.json");
        });
    }
}
