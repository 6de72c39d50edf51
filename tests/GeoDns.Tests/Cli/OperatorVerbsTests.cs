using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GeoDns.Tests.EndToEnd;

namespace GeoDns.Tests.Cli;

/// <summary>
/// The operator verbs as operators run them: the real <c>geodns</c> program against a real
/// <c>geodns serve</c> (its admin API and its DNS port on loopback). Every change is checked with
/// a real DNS query; every failure is one line with its exit code.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(300_000)]
public sealed class OperatorVerbsTests
{
    private const string Name = "www.gtm.ops.test."; // asked directly: the test client reads the first answer record
    private const string Pool = "www.gtm.ops.test.";
    private const string Eu = "198.51.100.10";
    private const string Us = "192.0.2.10";
    private const string Token = "ops-token-5c2e";
    private static readonly TimeSpan MoveLimit = TimeSpan.FromSeconds(5);

    private DirectoryInfo _directory = null!;
    private string _zones = null!;
    private string _tokenFile = null!;
    private ServeInstance _server = null!;

    /// <summary>
    /// A geo pool: clients in 127.0.0.0/8 and 203.0.113.0/24 belong to eu-west, 192.0.2.0/24 to
    /// us-east; anything else (or a drained region) falls back to failover order, eu-west first.
    /// </summary>
    internal static string Zone(int serial = 1, string extra = "") => $"""
        $ORIGIN ops.test.
        $TTL 60
        @        SOA    ns1 hostmaster {serial} 7200 900 1209600 60
        @        NS     ns1
        ns1      A      192.0.2.53
        $REGION  us-east  continents=NA cidrs=192.0.2.0/24
        $REGION  eu-west  continents=EU cidrs=127.0.0.0/8,203.0.113.0/24
        www      CNAME  www.gtm
        www.gtm  5  POOL    A  policy=geo fallback=failover max-answers=1
        www.gtm  5  MEMBER  eu-west  {Eu}
        www.gtm  5  MEMBER  us-east  {Us}
        {extra}
        """;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _directory = Directory.CreateTempSubdirectory("geodns-ops-");
        _zones = Path.Combine(_directory.FullName, "zones");
        Directory.CreateDirectory(_zones);
        await File.WriteAllTextAsync(ZoneFile, Zone());
        _tokenFile = Path.Combine(_directory.FullName, "token");
        await File.WriteAllTextAsync(_tokenFile, Token + "\n");
        _server = ServeInstance.Start("ops", _zones, tokenFile: _tokenFile);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _server.WaitReadyAsync(Name, Eu, TimeSpan.FromSeconds(60), cts.Token);
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        _server.Dispose();
        _directory.Delete(recursive: true);
    }

    private string ZoneFile => Path.Combine(_zones, "ops.test.zone");

    private string Server => $"--server {_server.Admin}";

    private string WithToken => $"{Server} --token-file \"{_tokenFile}\"";

    private static Task<(int ExitCode, string Output)> GeoDnsAsync(string arguments, IDictionary<string, string>? environment = null) =>
        GeoDnsProcess.RunAsync(arguments, TimeSpan.FromSeconds(60), environment);

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task AnswersAsync(string expected, CancellationToken token)
    {
        var seen = await _server.TimeUntilAnswerAsync(Name, expected, MoveLimit, token);
        Assert.That(seen, Is.Not.Null, $"the DNS port did not answer {Name} with {expected} within {MoveLimit.TotalSeconds} s");
    }

    [Test]
    public async Task StatusListsThePoolsMembersRegionsAndStates()
    {
        var (exit, output) = await GeoDnsAsync($"status {Server}");
        var lines = Lines(output);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, output);
            Assert.That(lines[0], Does.Match(@"^POOL\s+MEMBER\s+REGION\s+STATE\s+SINCE\s+PROBE\s+VOTES\s+OVERRIDE$"));
            Assert.That(lines.Skip(1).TakeWhile(l => l.StartsWith(Pool, StringComparison.Ordinal)),
                Has.All.Match(@"\s(-|(fail )?\d+\.\dms)\s"), "the PROBE column: the last probe's latency, or - before the first");
            Assert.That(lines, Has.Some.Match($@"^{Regex(Pool)}\s+{Regex(Eu)}\s+eu-west\s+up\b.*\bauto$"));
            Assert.That(lines, Has.Some.Match($@"^{Regex(Pool)}\s+{Regex(Us)}\s+us-east\s+up\b.*\bauto$"));
        });

        (exit, output) = await GeoDnsAsync($"status {Server} --json");
        Assert.That(exit, Is.Zero, output);
        var pools = JsonDocument.Parse(output).RootElement.GetProperty("pools");
        Assert.That(pools.EnumerateArray().Select(p => p.GetProperty("name").GetString()), Is.EqualTo(new[] { Pool }));
    }

    [Test]
    public async Task DrainMovesTheDnsAnswerOutOfTheRegionAndUndrainBringsItBack(CancellationToken token)
    {
        await AnswersAsync(Eu, token);
        var (exit, output) = await GeoDnsAsync($"drain eu-west {WithToken}");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("region eu-west drained"));
        await AnswersAsync(Us, token);

        (exit, output) = await GeoDnsAsync($"status {Server}");
        Assert.That(Lines(output), Has.Some.Match($@"^{Regex(Pool)}\s+{Regex(Eu)}\s+eu-west\s+down \(drained\)"), output);

        // The token may also come from GEODNS_TOKEN_FILE.
        (exit, output) = await GeoDnsAsync($"undrain eu-west {Server}", new Dictionary<string, string> { ["GEODNS_TOKEN_FILE"] = _tokenFile });
        Assert.That(exit, Is.Zero, output);
        await AnswersAsync(Eu, token);
    }

    [Test]
    public async Task ForceAndPinMoveTheAnswerAndAutoAndUnpinRestoreIt(CancellationToken token)
    {
        await AnswersAsync(Eu, token);
        var (exit, output) = await GeoDnsAsync($"force {Pool} {Eu} down {WithToken}");
        Assert.That(exit, Is.Zero, output);
        await AnswersAsync(Us, token);
        (exit, output) = await GeoDnsAsync($"status {Server}");
        Assert.That(Lines(output), Has.Some.Match($@"^{Regex(Pool)}\s+{Regex(Eu)}\s+eu-west\s+down \(forced\).*\bdown$"), output);

        (exit, output) = await GeoDnsAsync($"force www.gtm.ops.test {Eu} auto {WithToken}");
        Assert.That(exit, Is.Zero, output);
        await AnswersAsync(Eu, token);

        (exit, output) = await GeoDnsAsync($"pin {Pool} us-east {WithToken}");
        Assert.That(exit, Is.Zero, output);
        await AnswersAsync(Us, token);
        (exit, output) = await GeoDnsAsync($"status {Server}");
        Assert.That(output, Does.Contain($"pin:      {Pool} -> region us-east"));

        (exit, output) = await GeoDnsAsync($"unpin {Pool} {WithToken}");
        Assert.That(exit, Is.Zero, output);
        await AnswersAsync(Eu, token);
    }

    [Test]
    public async Task AWrongTokenExits4WithOneLineAndChangesNothing(CancellationToken token)
    {
        string wrong = Path.Combine(_directory.FullName, "wrong-token");
        await File.WriteAllTextAsync(wrong, "not-the-token\n", token);
        var (exit, output) = await GeoDnsAsync($"drain eu-west {Server} --token-file \"{wrong}\"");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(4), output);
            Assert.That(Lines(output), Has.Length.EqualTo(1), output);
            Assert.That(output, Does.StartWith("geodns drain: ").And.Contain("401").And.Not.Contain("not-the-token").And.Not.Contain(Token));
        });

        (exit, output) = await GeoDnsAsync($"pin {Pool} us-east {Server}");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(4), output);
            Assert.That(Lines(output), Has.Length.EqualTo(1), output);
            Assert.That(output, Does.Contain("no token given"));
        });
        Assert.That(await _server.AskAsync(Name, token), Is.EqualTo(Eu), "a refused change changed nothing");
    }

    [Test]
    public async Task AnUnreachableServerExits3WithOneLineNamingTheUrl()
    {
        int port = GeoDnsProcess.FreePort();
        var (exit, output) = await GeoDnsAsync($"status --server http://127.0.0.1:{port}");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(3), output);
            Assert.That(Lines(output), Has.Length.EqualTo(1), output);
            Assert.That(output, Does.Contain($"http://127.0.0.1:{port}/"));
        });
    }

    [TestCase("pin nope.ops.test. us-east", "unknown pool 'nope.ops.test.'")]
    [TestCase("force www.gtm.ops.test. 203.0.113.99 down", "has no member '203.0.113.99'")]
    [TestCase("drain mars", "unknown region 'mars'")]
    [TestCase("pin www.gtm.ops.test. mars", "has no member in region 'mars'")]
    public async Task AnUnknownPoolMemberOrRegionExits5WithOneLine(string verb, string message)
    {
        var (exit, output) = await GeoDnsAsync($"{verb} {WithToken}");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(5), output);
            Assert.That(Lines(output), Has.Length.EqualTo(1), output);
            Assert.That(output, Does.Contain("404").And.Contain(message));
        });
    }

    [TestCase("drain", "give REGION")]
    [TestCase("force www.gtm.ops.test. 192.0.2.10 sideways", "STATE must be up, down or auto")]
    [TestCase("status --colour", "unknown option '--colour'")]
    [TestCase("drill eu-west --name www.ops.test --timeout soon", "bad --timeout 'soon'")]
    [TestCase("explain www.ops.test --server http://127.0.0.1:1 --zones zones", "--zones, --geoip and --geoip-asn are for offline explain")]
    public async Task AUsageErrorExits2WithOneLine(string arguments, string message)
    {
        var (exit, output) = await GeoDnsAsync(arguments);
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2), output);
            Assert.That(Lines(output), Has.Length.EqualTo(1), output);
            Assert.That(output, Does.Contain(message));
        });
    }

    [Test]
    public async Task ReloadWithABrokenZonePrintsFileLineColumnAndKeepsServing(CancellationToken token)
    {
        try
        {
            await File.WriteAllTextAsync(ZoneFile, Zone(serial: 2, extra: "broken   A   300.1.2.3"), token);
            var (exit, output) = await GeoDnsAsync($"reload {WithToken}");
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.EqualTo(1), output);
                Assert.That(output, Does.Match(@"ops\.test\.zone:12:\d+: error: .*300\.1\.2\.3"));
                Assert.That(output, Does.Contain("still serving the previous version (serial 1)"));
            });
            Assert.That(await _server.AskAsync(Name, token), Is.EqualTo(Eu), "the previous version still answers");

            (exit, output) = await GeoDnsAsync($"reload {WithToken} --json");
            Assert.That(exit, Is.EqualTo(1), output);
            var json = JsonDocument.Parse(output).RootElement;
            Assert.That(json.GetProperty("ok").GetBoolean(), Is.False);
            Assert.That(json.GetProperty("errors")[0].GetString(), Does.Match(@"ops\.test\.zone:12:\d+: error:"));

            // Live explain says the file on disk is not what serves.
            (_, output) = await GeoDnsAsync($"explain www.ops.test {Server}");
            Assert.That(output, Does.Contain("line unknown:").And.Contain("has errors now; serial 1 is served"));
        }
        finally
        {
            await File.WriteAllTextAsync(ZoneFile, Zone(serial: 3, extra: "new A 192.0.2.99"), CancellationToken.None);
        }

        var (fixedExit, fixedOutput) = await GeoDnsAsync($"reload {WithToken}");
        Assert.That(fixedExit, Is.Zero, fixedOutput);
        Assert.That(fixedOutput, Does.Contain("zone ops.test. serial 3: loaded, serving"));
        Assert.That(await _server.AskAsync("new.ops.test.", token), Is.EqualTo("192.0.2.99"), "reload answered after the new snapshot served");
    }

    [Test]
    public async Task LiveExplainNamesTheRegionOfAClientAndReflectsADrain(CancellationToken token)
    {
        var (exit, output) = await GeoDnsAsync($"explain www.ops.test --client 203.0.113.7 {Server}");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, output);
            Assert.That(output, Does.StartWith("live:"));
            Assert.That(output, Does.Contain("region:     eu-west"));
            Assert.That(output, Does.Contain("203.0.113.0/24"));
            Assert.That(output, Does.Contain($"answer:     {Pool} 5 IN A {Eu}   (pool member {Eu}, region eu-west)"));
            Assert.That(output, Does.Contain("ops.test.zone:8:1"), "the CNAME's zone-file line");
        });

        (exit, output) = await GeoDnsAsync($"explain www.ops.test --client 192.0.2.77 {Server}");
        Assert.That(output, Does.Contain("region:     us-east").And.Contain($"(pool member {Us}, region us-east)"), output);

        // Over HTTP, the same trace and the structured answer.
        using var http = new HttpClient { BaseAddress = _server.Admin, Timeout = TimeSpan.FromSeconds(10) };
        var json = JsonDocument.Parse(await http.GetStringAsync("/api/v1/explain?name=www.ops.test&client=203.0.113.7", token)).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("live").GetBoolean(), Is.True);
            Assert.That(json.GetProperty("pool").GetProperty("region").GetString(), Is.EqualTo("eu-west"));
            Assert.That(json.GetProperty("answer").EnumerateArray().Last().GetProperty("region").GetString(), Is.EqualTo("eu-west"));
            Assert.That(json.GetProperty("lines").EnumerateArray().Select(l => l.GetString()), Does.Contain("region:     eu-west"));
        });

        try
        {
            (exit, output) = await GeoDnsAsync($"drain eu-west {WithToken}");
            Assert.That(exit, Is.Zero, output);
            (exit, output) = await GeoDnsAsync($"explain www.ops.test --client 203.0.113.7 {Server}");
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.Zero, output);
                Assert.That(output, Does.Contain("down (region eu-west drained by an operator)"));
                Assert.That(output, Does.Contain($"(pool member {Us}, region us-east)"));
            });
            json = JsonDocument.Parse(await http.GetStringAsync("/api/v1/explain?name=www.ops.test&subnet=203.0.113.0/24", token)).RootElement;
            Assert.That(json.GetProperty("pool").GetProperty("chosen").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { Us }));
        }
        finally
        {
            await GeoDnsAsync($"undrain eu-west {WithToken}");
        }
    }

    [Test]
    public async Task LiveExplainOfANameInNoServedZoneExits5AndTheApiChecksItsInput(CancellationToken token)
    {
        var (exit, output) = await GeoDnsAsync($"explain www.elsewhere.test {Server}");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(5), output);
            Assert.That(output, Does.Contain("REFUSED: www.elsewhere.test. is in no zone served here"));
            Assert.That(output, Does.Contain("geodns explain: www.elsewhere.test. is in no zone served here"));
        });

        using var http = new HttpClient { BaseAddress = _server.Admin, Timeout = TimeSpan.FromSeconds(10) };
        using (var bad = await http.GetAsync("/api/v1/explain?name=www.ops.test&type=NOPE", token))
        {
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await bad.Content.ReadAsStringAsync(token), Does.Contain("bad type 'NOPE'"));
        }

        using (var none = await http.GetAsync("/api/v1/explain", token))
        {
            Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        using var reload = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reload") { Content = new StringContent(string.Empty) };
        reload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        using var refused = await http.SendAsync(reload, token);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "reload is a change: it needs the token");
    }

    /// <summary>An instance that does not share the override state never moves: the drill says so, exits 1 and still undrains.</summary>
    [Test]
    public async Task ADrillWhoseInstanceNeverMovesExits1AndUndrains(CancellationToken token)
    {
        using var alone = ServeInstance.Start("alone", _zones);
        await alone.WaitReadyAsync(Name, Eu, TimeSpan.FromSeconds(60), token);
        var (exit, output) = await GeoDnsAsync($"drill eu-west --name {Name} {WithToken} --dns {_server.Dns} --dns {alone.Dns} --timeout 2s");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), output);
            Assert.That(output, Does.Match($@"moved:\s+{Regex(_server.Dns.ToString())} after \d+ ms"));
            Assert.That(output, Does.Contain($"moved:    {alone.Dns} NOT within 2 s: still answers {Eu}"));
            Assert.That(output, Does.Contain("undrain:  eu-west undrained"));
            Assert.That(output, Does.Contain("result:   FAILED"));
        });
        Assert.That(await _server.OverridesAsync(token), Is.Empty, "the drill undrained what it drained");
        await AnswersAsync(Eu, token);
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
