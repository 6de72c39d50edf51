using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GeoDns.Tests.Cli;

/// <summary>
/// <c>geodns serve</c> that cannot start: a taken DNS port, a malformed JSON settings file, an
/// invalid value. Each is one error line and exit 1, before any zone loads or health probe runs.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class StartupErrorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private string _directory = null!;
    private string _zones = null!;

    [SetUp]
    public void MakeFolder()
    {
        _directory = Path.Combine(Path.GetTempPath(), "geodns-start-" + Guid.NewGuid().ToString("N"));
        _zones = Path.Combine(_directory, "zones");
        Directory.CreateDirectory(_zones);
        File.WriteAllText(Path.Combine(_zones, "simple.test.zone"), TestZones.Simple());
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task UdpPortInUseIsOneLineNamingTheAddressBeforeAnyProbe()
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)udp.LocalEndPoint!).Port;

        // A member whose TCP health check would connect here if probing started.
        using var probeTarget = new TcpListener(IPAddress.Loopback, 0);
        probeTarget.Start();
        int probePort = ((IPEndPoint)probeTarget.LocalEndpoint).Port;
        await File.WriteAllTextAsync(Path.Combine(_zones, "pools.test.zone"), $"""
            $ORIGIN pools.test.
            $TTL 60
            @        SOA    ns1 hostmaster 1 7200 900 1209600 60
            @        NS     ns1
            ns1      A      192.0.2.53
            $REGION  one  continents=EU
            $CHECK   alive  tcp  ( port={probePort} interval=1s timeout=500ms )
            www      5  POOL    A  policy=failover check=alive
            www      5  MEMBER  one  127.0.0.1
            """);

        var (exit, lines) = await RunAsync($"serve --zones \"{_zones}\" --dns 127.0.0.1:{port}");

        AssertOneErrorLine(exit, lines, $"127.0.0.1:{port}");
        Assert.That(lines[0], Does.Contain("UDP"));
        Assert.That(probeTarget.Pending(), Is.False, "a health probe connected before the port error");
    }

    [Test]
    public async Task SecondGeoDnsOnTheSamePortIsOneLineNamingTheAddress()
    {
        // With several threads each binds its own socket in a SO_REUSEPORT group: a second
        // geodns must not join that group (and silently take a share of the queries).
        int port = GeoDnsProcess.FreePort();
        using var first = GeoDnsProcess.Start($"serve --zones \"{_zones}\" --dns 127.0.0.1:{port} --udp-threads 2");
        Assert.That(await first.WaitForOutputAsync($"Answering DNS on 127.0.0.1:{port}", Bound), Is.True, first.Output);

        var (exit, lines) = await RunAsync($"serve --zones \"{_zones}\" --dns 127.0.0.1:{port} --udp-threads 2");

        AssertOneErrorLine(exit, lines, $"127.0.0.1:{port}");
        Assert.That(lines[0], Does.Contain("UDP"));
        Assert.That(lines[0], Does.Contain("already in use"));
    }

    [Test]
    public async Task TcpPortInUseIsOneLineNamingTheAddress()
    {
        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        int port = ((IPEndPoint)tcp.LocalEndpoint).Port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            // The UDP side of the port must be free, so that only TCP fails.
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }

        var (exit, lines) = await RunAsync($"serve --zones \"{_zones}\" --dns 127.0.0.1:{port}");

        AssertOneErrorLine(exit, lines, $"127.0.0.1:{port}");
        Assert.That(lines[0], Does.Contain("TCP"));
    }

    [Test]
    public async Task MalformedAppSettingsInTheWorkingFolderIsOneLineWithItsPlace()
    {
        // Line 3, column 3: a value where ',' or '}' was expected.
        await File.WriteAllTextAsync(Path.Combine(_directory, "appsettings.json"), "{\n  \"Zones\": \"zones\"\n  \"UdpThreads\": 2\n}\n");

        var (exit, lines) = await RunAsync($"serve --dns 127.0.0.1:{GeoDnsProcess.FreePort()}", workingDirectory: _directory);

        AssertOneErrorLine(exit, lines, Path.Combine(_directory, "appsettings.json") + ":3:3");
    }

    [Test]
    public async Task AMalformedTsigKeyFileIsOneLineWithItsPlace()
    {
        var keys = Path.Combine(_directory, "tsig.key");
        await File.WriteAllTextAsync(keys, "key \"xfr\" {\n\talgorithm hmac-sha256;\n\tsecret \"not base64!\";\n};\n");
        var file = Path.Combine(_directory, "transfer.json");
        await File.WriteAllTextAsync(file, $$"""{ "Tsig": { "KeyFile": "{{keys}}" }, "Transfer": { "example.test": { "Keys": [ "xfr" ] } } }""");

        var (exit, lines) = await RunAsync($"serve --zones \"{_zones}\" --dns 127.0.0.1:{GeoDnsProcess.FreePort()} --config \"{file}\"");

        AssertOneErrorLine(exit, lines, keys + ":3: the secret of key 'xfr' is not base64");
    }

    [Test]
    public async Task MalformedConfigFileIsOneLineWithItsPlace()
    {
        var file = Path.Combine(_directory, "geodns.json");
        // Line 3, column 1: the array is never closed.
        await File.WriteAllTextAsync(file, "{\n  \"Dns\": [ \"127.0.0.1:5353\" \n}\n");

        var (exit, lines) = await RunAsync($"serve --zones \"{_zones}\" --config \"{file}\"");

        AssertOneErrorLine(exit, lines, file + ":3:1");
    }

    [TestCase("--udp-threads -3", "-3")]
    [TestCase("--udp-threads x", "'x'")]
    [TestCase("--log-format xml", "'xml'")]
    [TestCase("--dns nonsense", "'nonsense'")]
    [TestCase("--dns 127.0.0.1", "'127.0.0.1'")]
    [TestCase("--dns 5353", "'5353'")]
    [TestCase("--dns 127.0.0.1:99999", "'127.0.0.1:99999'")]
    [TestCase("--dns ::1:5353", "'::1:5353'")]
    [TestCase("--rrl-responses-per-second 10 --rrl-slip 11", "Rrl:Slip 11")]
    [TestCase("--rrl-responses-per-second 10 --rrl-whitelist nonsense", "'nonsense'")]
    public async Task InvalidValueIsOneLineAndExit1(string option, string named)
    {
        var (exit, lines) = await RunAsync($"serve --zones \"{_zones}\" {option}");

        AssertOneErrorLine(exit, lines, named);
    }

    [TestCase("127.0.0.1:6379,password=hunter2-secret,nosuchoption=1", "nosuchoption")]
    [TestCase("127.0.0.1:6379,ssl=maybe,password=hunter2-secret", "ssl")]
    [TestCase("serviceName=mymaster,password=hunter2-secret", "no host:port")]
    public async Task MalformedRedisConfigurationIsOneLineWithoutThePassword(string redis, string named)
    {
        var (exit, lines) = await RunAsync($"serve --zones \"{_zones}\" --dns 127.0.0.1:{GeoDnsProcess.FreePort()} --redis \"{redis}\"");

        AssertOneErrorLine(exit, lines, named);
        Assert.That(lines[0], Does.Contain("--redis").And.Not.Contain("hunter2-secret"));
    }

    [Test]
    public async Task MissingRedisCaFileIsOneLine()
    {
        var missing = Path.Combine(_directory, "no-ca.pem");
        var (exit, lines) = await RunAsync($"serve --zones \"{_zones}\" --dns 127.0.0.1:{GeoDnsProcess.FreePort()} --redis 127.0.0.1:6379,ssl=true --redis-ca-file \"{missing}\"");

        AssertOneErrorLine(exit, lines, missing);
    }

    [Test]
    public async Task ACorruptedKeyFileIsOneLineNamingItsFileAndLine()
    {
        string keys = Path.Combine(_directory, "keys");
        Directory.CreateDirectory(keys);
        string baseName = await GeoDns.Tests.Dnssec.KeyDirectoryTests.DnssecKeygen(keys, "simple.test", "ECDSAP256SHA256", []);
        string privatePath = Path.Combine(keys, baseName + ".private");
        File.WriteAllText(privatePath, File.ReadAllText(privatePath).Replace("PrivateKey: ", "PrivateKey: %", StringComparison.Ordinal));

        var (exit, lines) = await RunAsync($"serve --zones \"{_zones}\" --keys \"{keys}\" --dns 127.0.0.1:{GeoDnsProcess.FreePort()}");

        AssertOneErrorLine(exit, lines, privatePath + ":3: the key is not valid base64");
    }

    [TestCase("missing.mmdb", null)]
    [TestCase("garbage.mmdb", "not a MaxMind database")]
    public async Task AGeoIpDatabaseThatCannotBeOpenedIsOneLine(string name, string? content)
    {
        string path = Path.Combine(_directory, name);
        if (content is not null)
        {
            File.WriteAllText(path, content);
        }

        var (exit, lines) = await RunAsync($"serve --zones \"{_zones}\" --geoip \"{path}\" --dns 127.0.0.1:{GeoDnsProcess.FreePort()}");

        AssertOneErrorLine(exit, lines, path + ": cannot open the MaxMind database");
    }

    [Test]
    public async Task MissingZonesFolderIsOneLine()
    {
        var missing = Path.Combine(_directory, "nope");
        var (exit, lines) = await RunAsync($"serve --zones \"{missing}\" --dns 127.0.0.1:{GeoDnsProcess.FreePort()}");

        AssertOneErrorLine(exit, lines, missing);
    }

    private static void AssertOneErrorLine(int exit, List<string> lines, string named)
    {
        string all = string.Join("\n", lines);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), all);
            Assert.That(lines, Has.Count.EqualTo(1), all);
            Assert.That(all, Does.StartWith("geodns serve: "));
            Assert.That(all, Does.Contain(named));
            Assert.That(all, Does.Not.Contain("   at "));
            Assert.That(all, Does.Not.Contain("Traceback"));
            Assert.That(all, Does.Not.Contain("Exception"));
        });
    }

    /// <summary>Runs geodns to its exit (killed after <see cref="Bound"/>); returns its exit code and non-empty output lines.</summary>
    private static async Task<(int ExitCode, List<string> Lines)> RunAsync(string arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{GeoDnsProcess.Dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("geodns did not start");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
            Assert.Fail($"geodns {arguments} still running after {Bound}:\n{Text()}");
        }

        process.WaitForExit();
        return (process.ExitCode, [.. Text().Split('\n').Where(l => l.Trim().Length > 0)]);

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.Append(line).Append('\n');
                }
            }
        }

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }
}
