using System.Net;
using System.Text.Json;
using GeoDns.Tests.Cli;
using GeoDns.Tests.Redis;
using GeoDns.Tests.Server;

namespace GeoDns.Tests.Deploy;

/// <summary>
/// The Native AOT executable end to end: published once (<see cref="NativeAotPublish"/>), it serves
/// the sample zones with the sample GeoIP database and the admin API on loopback, next to the JIT
/// build (the test folder's geodns.dll) on the same zones, whose admin answers it must match.
/// Every test has an order (NUnit runs ordered tests before the others): the reload and the stop come last.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(900_000)]
public sealed class NativeAotTests
{
    private const string Name = "www.example.com";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private DirectoryInfo _directory = null!;
    private string _executable = null!;
    private string _geoIp = null!;
    private string _zones = null!;
    private GeoDnsProcess? _aot;
    private GeoDnsProcess? _jit;
    private IPEndPoint _aotDns = null!;
    private Uri _aotAdmin = null!;
    private Uri _jitAdmin = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [OneTimeSetUp]
    public async Task PublishAndStart()
    {
        if (NativeAotPublish.Missing() is { } missing)
        {
            Assert.Ignore(missing);
        }

        string folder = await NativeAotPublish.FolderAsync(TimeSpan.FromMinutes(12));
        _executable = Path.Combine(folder, "geodns");
        string root = ProgramTests.RepositoryRoot();
        _geoIp = Path.Combine(root, "samples", "geoip", "GeoLite2-City-Test.mmdb");
        _directory = Directory.CreateTempSubdirectory("geodns-aot-run-");
        _zones = CopyZones(root, "aot");
        string jitZones = CopyZones(root, "jit");

        (_aot, _aotDns, _aotAdmin) = Serve(_zones, (zones, arguments) => GeoDnsProcess.StartExecutable(_executable, arguments, Environment()));
        (_jit, _, _jitAdmin) = Serve(jitZones, (zones, arguments) => GeoDnsProcess.Start(arguments, Environment()));
        Assert.That(await _aot.WaitForOutputAsync("Answering DNS on", StartLimit), Is.True, _aot.Output);
        Assert.That(await _jit.WaitForOutputAsync("Answering DNS on", StartLimit), Is.True, _jit.Output);

        // The status feed lists served zones from its first sample on (one interval after start):
        // both builds must have taken it before their admin answers are compared.
        foreach (var admin in new[] { _aotAdmin, _jitAdmin })
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!(await GetAsync(admin, "/api/v1/zones")).Body.Contains("serial", StringComparison.Ordinal) && DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
        }
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _aot?.Dispose();
        _jit?.Dispose();
        _http.Dispose();
        _directory?.Delete(recursive: true);
        NativeAotPublish.Delete();
    }

    [Test]
    [Order(1)]
    public void PublishRaisesNoTrimOrAotWarningButMaxMinds()
    {
        if (NativeAotPublish.PublishLog.Length == 0)
        {
            Assert.Ignore($"the executable was not published by this run ({NativeAotPublish.Reuse} is set)");
        }

        var warnings = NativeAotPublish.PublishLog.Split('\n').Where(l => l.Contains("warning IL", StringComparison.Ordinal)).ToList();
        Assert.That(warnings.Where(l => !l.Contains("IL2104: Assembly 'MaxMind.GeoIP2'", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    [Order(10)]
    public async Task SteersByClientSubnetOverUdpAndTcp()
    {
        // The first two by the regions' CIDR rules, the third located by the GeoIP database (MaxMind's readers under AOT).
        Assert.That(await Dig("+subnet=81.2.69.0/24"), Does.Contain("198.51.100.10"));
        Assert.That(await Dig("+subnet=216.160.83.0/24"), Does.Contain("192.0.2.10"));
        Assert.That(await Dig("+subnet=89.160.20.128/25"), Does.Contain("198.51.100.10"));
        Assert.That(await Dig("+tcp +subnet=216.160.83.0/24"), Does.Contain("192.0.2.10"));
        Assert.That(_aot!.Output, Does.Not.Contain("Query failed"));
    }

    [Test]
    [Order(10)]
    public void TcpCompletionsRunInline() =>
        Assert.That(_aot!.Output, Does.Contain("TCP with inline completions"), "Socket.PreferInlineCompletions was trimmed away");

    [TestCase("/healthz")]
    [TestCase("/readyz")]
    [TestCase("/api/v1/pools")]
    [TestCase("/api/v1/overrides")]
    [TestCase("/api/v1/zones")]
    [TestCase("/api/v1/transitions")]
    [TestCase("/api/v1/explain?name=www.example.com&subnet=89.160.20.128/25")]
    [TestCase("/api/v1/explain?name=nowhere.test")]
    [TestCase("/api/v1/explain")]
    [Order(10)]
    public async Task AdminApiAnswersAsTheJitBuild(string path)
    {
        var (aotStatus, aotBody) = await GetAsync(_aotAdmin, path);
        var (jitStatus, jitBody) = await GetAsync(_jitAdmin, path);
        Assert.That(aotStatus, Is.EqualTo(jitStatus), aotBody);
        Assert.That(aotStatus, Is.AnyOf(HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.NotFound), aotBody);
        Assert.That(Shape(aotBody), Is.EqualTo(Shape(jitBody)), $"AOT: {aotBody}\nJIT: {jitBody}");
        if (path is "/healthz" or "/api/v1/explain")
        {
            Assert.That(aotBody, Is.EqualTo(jitBody));
        }

        if (path.Contains("89.160.20.128", StringComparison.Ordinal))
        {
            Assert.That(aotBody, Does.Contain("\"198.51.100.10\"").And.Contains("\"eu-west\""));
        }
    }

    [Test]
    [Order(10)]
    public async Task StatusPageIsServed()
    {
        var (status, body) = await GetAsync(_aotAdmin, "/");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body, Does.Contain("<html"));
    }

    [Test]
    [Order(10)]
    public async Task CheckExitsZeroOnGoodZonesAndOneWithFileLineOnABrokenOne()
    {
        var (good, goodOutput) = await RunAsync($"check \"{_zones}\" --geoip \"{_geoIp}\"");
        Assert.That(good, Is.EqualTo(0), goodOutput);

        string broken = Path.Combine(_directory.FullName, "broken");
        Directory.CreateDirectory(broken);
        await File.WriteAllTextAsync(Path.Combine(broken, "broken.test.zone"), "$ORIGIN broken.test.\n@ 60 SOA ns1 hostmaster 1 7200 900 1209600 60\nwww 60 A 300.1.2.3\n");
        var (bad, badOutput) = await RunAsync($"check \"{broken}\"");
        Assert.That(bad, Is.EqualTo(1), badOutput);
        Assert.That(badOutput, Does.Contain("broken.test.zone:3:"));

        var (missing, missingOutput) = await RunAsync($"check \"{Path.Combine(_directory.FullName, "nope")}\"");
        Assert.That(missing, Is.EqualTo(2), missingOutput);
    }

    [Test]
    [Order(20)]
    public async Task SharesStateThroughRedisAndServesMetrics()
    {
        using var redis = RedisServer.Start();
        var (process, _, admin) = Serve(_zones, (zones, arguments) =>
            GeoDnsProcess.StartExecutable(_executable, $"{arguments} --redis {redis.Configuration}", Environment()));
        using (process)
        {
            Assert.That(await process.WaitForOutputAsync("Answering DNS on", StartLimit), Is.True, process.Output);
            var (ready, readyBody) = await GetAsync(admin, "/readyz");
            Assert.That(ready, Is.EqualTo(HttpStatusCode.OK), readyBody);
            Assert.That(readyBody, Does.Contain("\"mode\":\"redis\"").And.Contains("\"connected\":true"));
            var (metrics, metricsBody) = await GetAsync(admin, "/metrics");
            Assert.That(metrics, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(metricsBody, Does.Contain("geodns_"));
        }
    }

    [Test]
    [Order(90)]
    public async Task SighupReloadsTheZones()
    {
        string file = Path.Combine(_zones, "example.com.zone");
        string text = await File.ReadAllTextAsync(file);
        await File.WriteAllTextAsync(file, text.Replace("2026112601", "2026112602", StringComparison.Ordinal)
            .Replace("@        A      192.0.2.1\n", "@        A      192.0.2.2\n", StringComparison.Ordinal));
        _aot!.Signal("HUP");
        Assert.That(await _aot.WaitForOutputAsync("serial 2026112602", TimeSpan.FromSeconds(20)), Is.True, _aot.Output);
        Assert.That((await DigTests.Dig(_aotDns, "example.com A +short")).Trim(), Is.EqualTo("192.0.2.2"));
    }

    [Test]
    [Order(100)]
    public async Task StopsCleanlyOnSigterm()
    {
        _aot!.Signal("TERM");
        Assert.That(await _aot.WaitForExitAsync(TimeSpan.FromSeconds(15)), Is.EqualTo(0), _aot.Output);
        Assert.That(_aot.Output, Does.Contain("Stopped answering DNS"));
        Assert.That(_aot.Output, Does.Not.Contain("Reflection-based serialization"));
    }

    private static Dictionary<string, string> Environment() => new() { ["GEODNS_WATCHZONES"] = "false" };

    private string CopyZones(string root, string name)
    {
        string zones = Path.Combine(_directory.FullName, name);
        Directory.CreateDirectory(zones);
        File.Copy(Path.Combine(root, "zones", "example.com.zone"), Path.Combine(zones, "example.com.zone"));
        return zones;
    }

    private (GeoDnsProcess Process, IPEndPoint Dns, Uri Admin) Serve(string zones, Func<string, string, GeoDnsProcess> start)
    {
        int dns = LoopbackPorts.FreeDnsPort();
        int admin = LoopbackPorts.FreeTcpPort();
        var process = start(zones, $"serve --zones \"{zones}\" --dns 127.0.0.1:{dns} --admin 127.0.0.1:{admin} --geoip \"{_geoIp}\" --instance aot-test");
        return (process, new IPEndPoint(IPAddress.Loopback, dns), new Uri($"http://127.0.0.1:{admin}"));
    }

    private Task<string> Dig(string options) => DigTests.Dig(_aotDns, $"{Name} A +short {options}");

    private async Task<(int ExitCode, string Output)> RunAsync(string arguments)
    {
        using var process = GeoDnsProcess.StartExecutable(_executable, arguments);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.That(exit, Is.Not.Null, $"geodns {arguments} still running:\n{process.Output}");
        return (exit!.Value, process.Output);
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(Uri admin, string path)
    {
        using var response = await _http.GetAsync(new Uri(admin, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every property path of a JSON document (array elements merged), sorted: its fields without their values.</summary>
    private static List<string> Shape(string json)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        Collect(document.RootElement, "$", paths);
        return [.. paths];
    }

    private static void Collect(JsonElement element, string path, SortedSet<string> paths)
    {
        paths.Add(path);
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                Collect(property.Value, $"{path}.{property.Name}", paths);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Collect(item, path + "[]", paths);
            }
        }
    }
}
