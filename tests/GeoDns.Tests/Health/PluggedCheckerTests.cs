using System.Net;
using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Settings;
using GeoDns.Health;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Health;

/// <summary>
/// A checker defined only here, with a check kind and a key of its own, plugged into the real
/// server with one registration line: zone files may use it, its key is validated, and its
/// verdicts move answers.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class PluggedCheckerTests
{
    /// <summary><c>$CHECK name file path=FILE</c>: up while the file exists.</summary>
    private sealed class FileChecker : IHealthChecker
    {
        private static readonly Setting<string?> PathKey = Setting.Text("path", "a file that exists while the member is up",
            text => Path.IsPathFullyQualified(text) ? null : "an absolute path");

        public static readonly CheckKind Kind = new("file", port: null, [PathKey],
            values => values.IsSet(PathKey) ? null : "file checks need path=");

        public IReadOnlyCollection<CheckKind> Kinds { get; } = [Kind];

        public Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken cancellationToken)
        {
            string path = target.Settings.Get(PathKey)!;
            return Task.FromResult(File.Exists(path)
                ? ProbeResult.Ok(TimeSpan.Zero, $"{path} exists")
                : ProbeResult.Fail(TimeSpan.Zero, $"{path} is gone"));
        }
    }

    private static void Plug(IServiceCollection services) =>
        services.AddSingleton<IHealthChecker, FileChecker>(); // the one registration line

    private string _flags = null!;

    [SetUp]
    public void MakeFlags()
    {
        _flags = Directory.CreateTempSubdirectory("geodns-flags-").FullName;
        File.WriteAllText(Path.Combine(_flags, "a"), "up");
        File.WriteAllText(Path.Combine(_flags, "b"), "up");
    }

    [TearDown]
    public void RemoveFlags() => Directory.Delete(_flags, recursive: true);

    private string Zone(string check) => $"""
        $ORIGIN plug.test.
        $TTL 60
        @ SOA ns h 1 2 3 4 5
        @ NS ns
        ns A 192.0.2.1
        $REGION r1 continents=EU
        $REGION r2 continents=NA
        {check}
        www 30 POOL A policy=failover check=f
        www 30 MEMBER r1 192.0.2.10
        www 30 MEMBER r2 192.0.2.11 path={Path.Combine(_flags, "b")}
        """;

    private static async Task<string?> AnswerAsync(TestServer server)
    {
        var reply = await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "www.plug.test." });
        return reply.AnswerRecords.OfType<ARecord>().FirstOrDefault()?.Address.ToString();
    }

    [Test]
    public async Task ItsVerdictsMoveTheAnswer()
    {
        string check = $"$CHECK f file path={Path.Combine(_flags, "a")} interval=200ms rise=1 fall=1";
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["plug.test.zone"] = Zone(check) }, extend: Plug);
        Assert.That(await AnswerAsync(server), Is.EqualTo("192.0.2.10"));

        File.Delete(Path.Combine(_flags, "a"));
        string? answer = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline && (answer = await AnswerAsync(server)) != "192.0.2.11")
        {
            await Task.Delay(100);
        }

        Assert.That(answer, Is.EqualTo("192.0.2.11"), "the member whose file is gone is no longer answered");
    }

    [Test]
    public async Task ItsKeysAreValidatedLikeBuiltInOnes()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["plug.test.zone"] = Zone("$CHECK f file path=/ok") }, extend: Plug);
        var pipeline = server.Services.GetRequiredService<ZonePipeline>();
        File.WriteAllText(Path.Combine(server.Directory, "plug.test.zone"), Zone("$CHECK f file path=relative colour=red"));

        var build = pipeline.LoadDirectory(server.Directory).Single();

        var errors = build.File.Diagnostics.Select(d => d.ToString()).ToList();
        Assert.That(errors, Has.Some.Match(@"plug\.test\.zone:8:20: error: bad path 'relative': an absolute path"));
        Assert.That(errors, Has.Some.Match(@"plug\.test\.zone:8:29: error: unknown check key 'colour'"));
    }

    [Test]
    public void WithoutTheRegistrationLineTheKindIsUnknown()
    {
        var build = ZonePipeline.BuiltIn().Build(GeoDns.Core.Zones.ZoneFileLoader.Parse(Zone("$CHECK f file path=/ok"), "plug.test.zone", null, TrafficVocabulary.BuiltIn));

        Assert.That(build.File.Diagnostics.Select(d => d.ToString()), Has.Some.Contains("unknown check kind 'file'"));
    }
}
