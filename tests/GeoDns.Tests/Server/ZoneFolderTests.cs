using System.Net;
using ARSoft.Tools.Net.Dns;
using GeoDns.Health;
using GeoDns.Hosting;
using GeoDns.Tests.Cli;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Server;

/// <summary>
/// A zones folder or file that cannot be read is an error that keeps the served zones; only a
/// file deleted from a readable folder removes its zone. The watcher reacts to zone files only.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class ZoneFolderTests
{
    // A pool checked over TCP (a closed loopback port: the verdict does not matter here, only that probes run).
    private static string PoolZone(int closedPort) => $"""
        $ORIGIN pools.test.
        $TTL 60
        @        SOA    ns1 hostmaster 1 7200 900 1209600 60
        @        NS     ns1
        ns1      A      192.0.2.53
        $REGION  us-east  continents=NA
        $CHECK   alive  tcp  ( port={closedPort} interval=1s timeout=500ms )
        www      5  POOL    A  policy=failover max-answers=1 check=alive if-all-down=all
        www      5  MEMBER  us-east  127.0.0.1
        """;

    private static async Task<ReturnCode> CodeOf(TestServer server, string name) =>
        (await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = name })).ReturnCode;

    private static Task<TestServer> StartTwoZones(bool watch = false) => TestServer.StartAsync(
        new Dictionary<string, string>
        {
            ["simple.test.zone"] = TestZones.Simple(),
            ["pools.test.zone"] = PoolZone(GeoDnsProcess.FreePort()),
        },
        new Dictionary<string, string?> { ["WatchZones"] = watch ? "true" : "false" });

    [Test]
    public async Task VanishedFolderKeepsEveryZoneAndItsHealthChecks()
    {
        await using var server = await StartTwoZones();
        var store = server.Services.GetRequiredService<ZoneStore>();
        var monitor = server.Services.GetRequiredService<HealthMonitor>();
        Assert.That(monitor.ProbeCount, Is.EqualTo(1));
        var moved = server.Directory + ".moved";
        Directory.Move(server.Directory, moved);
        try
        {
            Assert.That(store.Reload(), Is.EqualTo(1), "a folder that cannot be read is an error");
            Assert.Multiple(async () =>
            {
                Assert.That(await CodeOf(server, "www.simple.test."), Is.EqualTo(ReturnCode.NoError));
                Assert.That(await CodeOf(server, "www.pools.test."), Is.EqualTo(ReturnCode.NoError));
                Assert.That(monitor.ProbeCount, Is.EqualTo(1), "health checks go on");
            });

            // A regular file where the folder was: still an error, still serving.
            await File.WriteAllTextAsync(server.Directory, "not a folder");
            Assert.That(store.Reload(), Is.EqualTo(1));
            Assert.That(await CodeOf(server, "www.simple.test."), Is.EqualTo(ReturnCode.NoError));
            File.Delete(server.Directory);
        }
        finally
        {
            Directory.Move(moved, server.Directory);
        }

        // Back in place: a reload is clean and serves the same zones.
        Assert.That(store.Reload(), Is.Zero);
        Assert.That(await CodeOf(server, "www.simple.test."), Is.EqualTo(ReturnCode.NoError));
        Assert.That(monitor.ProbeCount, Is.EqualTo(1));
    }

    [Test]
    public async Task UnreadableFileKeepsItsZoneAndADeletedOneRemovesIt()
    {
        await using var server = await StartTwoZones();
        var store = server.Services.GetRequiredService<ZoneStore>();
        var file = Path.Combine(server.Directory, "simple.test.zone");
        File.Delete(file);
        File.CreateSymbolicLink(file, Path.Combine(server.Directory, "nowhere", "simple.test.zone")); // listed, but cannot be read
        Assert.That(store.Reload(), Is.EqualTo(1));
        Assert.That(await CodeOf(server, "www.simple.test."), Is.EqualTo(ReturnCode.NoError), "unreadable: still served");

        File.Delete(file);
        Assert.That(store.Reload(), Is.Zero);
        Assert.Multiple(async () =>
        {
            Assert.That(await CodeOf(server, "www.simple.test."), Is.EqualTo(ReturnCode.Refused), "deleted: removed");
            Assert.That(await CodeOf(server, "www.pools.test."), Is.EqualTo(ReturnCode.NoError));
        });
    }

    [Test]
    public async Task SighupReloadsAServerStartedUnderNohup()
    {
        // nohup starts the program with SIGHUP ignored; `kill -HUP` must still reload it.
        var directory = Path.Combine(Path.GetTempPath(), "geodns-nohup-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var file = Path.Combine(directory, "simple.test.zone");
            await File.WriteAllTextAsync(file, TestZones.Simple());
            int port = LoopbackPorts.FreeDnsPort();
            using var server = GeoDnsProcess.StartUnderNohup($"serve --zones \"{directory}\" --dns 127.0.0.1:{port}",
                new Dictionary<string, string> { ["GEODNS_WATCHZONES"] = "false" });
            Assert.That(await server.WaitForOutputAsync("Answering DNS on", TimeSpan.FromSeconds(30)), Is.True, server.Output);

            await File.WriteAllTextAsync(file, TestZones.Simple(address: "192.0.2.99", serial: 2));
            server.Signal("HUP");
            Assert.That(await server.WaitForOutputAsync("(SIGHUP): serving 1 zone(s)", TimeSpan.FromSeconds(10)), Is.True, server.Output);
            var reply = await DnsTestClient.UdpAsync(new IPEndPoint(IPAddress.Loopback, port), new QueryBuilder { Name = "www.simple.test." });
            Assert.That(reply.AnswerRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.99")), server.Output);

            server.Signal("TERM");
            Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(0), server.Output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task SighupWithTheFolderMovedAwayLogsOneErrorAndKeepsServing()
    {
        var directory = Path.Combine(Path.GetTempPath(), "geodns-folder-" + Guid.NewGuid().ToString("N"));
        var moved = directory + ".moved";
        Directory.CreateDirectory(directory);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "simple.test.zone"), TestZones.Simple());
            int port = GeoDnsProcess.FreePort();
            using var server = GeoDnsProcess.Start($"serve --zones \"{directory}\" --dns 127.0.0.1:{port}",
                new Dictionary<string, string> { ["GEODNS_WATCHZONES"] = "false" });
            Assert.That(await server.WaitForOutputAsync("Answering DNS on", TimeSpan.FromSeconds(30)), Is.True, server.Output);
            var endpoint = new IPEndPoint(IPAddress.Loopback, port);

            Directory.Move(directory, moved);
            server.Signal("HUP");
            Assert.That(await server.WaitForOutputAsync("cannot read zone directory", TimeSpan.FromSeconds(10)), Is.True, server.Output);
            await Task.Delay(200);
            var reply = await DnsTestClient.UdpAsync(endpoint, new QueryBuilder { Name = "www.simple.test." });
            Assert.Multiple(() =>
            {
                Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError), server.Output);
                Assert.That(reply.AnswerRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.1")));
                Assert.That(server.Output, Does.Not.Contain("removed"), "no zone is dropped");
                var lines = server.Output.Split('\n').Where(l => l.Contains("cannot read zone directory", StringComparison.Ordinal)).ToList();
                Assert.That(lines, Has.Count.EqualTo(1), server.Output);
                Assert.That(lines[0], Does.Contain(directory).And.Contain("still serving 1 zone"), server.Output);
            });

            server.Signal("TERM");
            Assert.That(await server.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(0), server.Output);
        }
        finally
        {
            foreach (var folder in new[] { directory, moved }.Where(Directory.Exists))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Test]
    public async Task WatcherIgnoresFilesThatAreNotZoneFiles()
    {
        await using var server = await StartTwoZones(watch: true);
        var store = server.Services.GetRequiredService<ZoneStore>();
        int before = store.Reloads;

        // Editors' files that end in .zone: Emacs's lock link (dangling) and a hidden copy.
        File.CreateSymbolicLink(Path.Combine(server.Directory, ".#simple.test.zone"), "root@host.4242:1700000000");
        await File.WriteAllTextAsync(Path.Combine(server.Directory, ".simple.test.zone"), "garbage that is no zone\n");

        // A log written into the zones folder, line by line, and a file in a subfolder.
        var log = Path.Combine(server.Directory, "geodns.log");
        Directory.CreateDirectory(Path.Combine(server.Directory, "sub"));
        for (int i = 0; i < 10; i++)
        {
            await File.AppendAllTextAsync(log, $"line {i}\n");
            await File.WriteAllTextAsync(Path.Combine(server.Directory, "sub", "nested.zone"), $"; {i}\n");
            await Task.Delay(100);
        }

        await Task.Delay(1500); // well past the watcher's settle time
        Assert.That(store.Reloads - before, Is.Zero, "no zone file changed");
        var explicitReload = store.ReloadWithBuilds();
        Assert.That(explicitReload.Failed, Is.Zero, "hidden and editor files are not loaded as zones");
        Assert.That(explicitReload.Builds.Select(b => Path.GetFileName(b.File.Path)), Is.EquivalentTo(new[] { "pools.test.zone", "simple.test.zone" }));
        before = store.Reloads;

        // A zone file does reload (the watcher is alive).
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "simple.test.zone"), TestZones.Simple(address: "192.0.2.5", serial: 5));
        for (int i = 0; i < 100 && store.Reloads - before == 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.That(store.Reloads - before, Is.GreaterThan(0));
        var reply = await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "www.simple.test." });
        Assert.That(reply.AnswerRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.5")));

        // An editor's atomic save: a temporary name (not a zone file), then renamed over the zone file.
        var temporary = Path.Combine(server.Directory, "simple.test.zone.tmp");
        await File.WriteAllTextAsync(temporary, TestZones.Simple(address: "192.0.2.6", serial: 6));
        File.Move(temporary, Path.Combine(server.Directory, "simple.test.zone"), overwrite: true);
        IPAddress? seen = null;
        for (int i = 0; i < 100 && !IPAddress.Parse("192.0.2.6").Equals(seen); i++)
        {
            await Task.Delay(100);
            seen = (await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "www.simple.test." }))
                .AnswerRecords.OfType<ARecord>().SingleOrDefault()?.Address;
        }

        Assert.That(seen, Is.EqualTo(IPAddress.Parse("192.0.2.6")), "a rename onto a zone file reloads");
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AZoneFileWrittenInBurstsNeverServesHalfOfIt(CancellationToken token)
    {
        await using var server = await StartTwoZones(watch: true);
        var store = server.Services.GetRequiredService<ZoneStore>();
        string path = Path.Combine(server.Directory, "simple.test.zone");
        string Zone(uint serial, string last) => TestZones.Simple(serial: serial) + "\nlast A " + last + "\n";
        await File.WriteAllTextAsync(path, Zone(1, "192.0.2.70"), token);
        store.Reload();

        // A writer that flushes the new version in two bursts 150 ms apart (under the watcher's
        // settle time); the first burst alone is a valid zone without "last". A half-loaded
        // version would answer NXDOMAIN for it.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var seen = new List<ReturnCode>();
        var watch = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                seen.Add((await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "last.simple.test." })).ReturnCode);
                await Task.Delay(10, CancellationToken.None);
            }
        }, CancellationToken.None);
        int before = store.Reloads;
        string text = Zone(2, "192.0.2.71");
        int cut = text.IndexOf("\nlast A", StringComparison.Ordinal) + 1;
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
        {
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text[..cut]), token);
            await file.FlushAsync(token);
            await Task.Delay(150, token);
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text[cut..]), token);
        }

        IPAddress? last = null;
        for (int i = 0; i < 100 && !IPAddress.Parse("192.0.2.71").Equals(last); i++)
        {
            await Task.Delay(100, token);
            last = (await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "last.simple.test." }))
                .AnswerRecords.OfType<ARecord>().SingleOrDefault()?.Address;
        }

        await Task.Delay(200, token);
        await stop.CancelAsync();
        await watch;
        Assert.That(last, Is.EqualTo(IPAddress.Parse("192.0.2.71")), "the whole new version is served");
        Assert.That(store.Reloads - before, Is.EqualTo(1), "one reload for the two bursts");
        Assert.That(seen, Has.Count.GreaterThan(20));
        Assert.That(seen, Has.All.EqualTo(ReturnCode.NoError), "a half-written version was served");
    }
}
