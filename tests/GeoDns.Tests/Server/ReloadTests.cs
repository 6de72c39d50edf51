using System.Diagnostics;
using System.Net;
using ARSoft.Tools.Net.Dns;
using GeoDns.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Server;

/// <summary>Reloads swap whole snapshots; a zone that fails to load keeps serving its previous version.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class ReloadTests
{
    private static async Task<IPAddress?> AddressOf(TestServer server, string name)
    {
        var reply = await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = name });
        return reply.AnswerRecords.OfType<ARecord>().FirstOrDefault()?.Address;
    }

    [Test]
    public async Task ChangedZoneIsServedAfterReload()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["simple.test.zone"] = TestZones.Simple() });
        Assert.That(await AddressOf(server, "www.simple.test."), Is.EqualTo(IPAddress.Parse("192.0.2.1")));
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "simple.test.zone"), TestZones.Simple(address: "192.0.2.2", serial: 2));
        Assert.That(server.Services.GetRequiredService<ZoneStore>().Reload(), Is.EqualTo(0));
        Assert.That(await AddressOf(server, "www.simple.test."), Is.EqualTo(IPAddress.Parse("192.0.2.2")));
    }

    [Test]
    public async Task BrokenZoneKeepsServingThePreviousVersion()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["simple.test.zone"] = TestZones.Simple() });
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "simple.test.zone"), TestZones.Simple(address: "192.0.2.2") + "bad A 999.1.1.1\n");
        Assert.That(server.Services.GetRequiredService<ZoneStore>().Reload(), Is.EqualTo(1));
        Assert.That(await AddressOf(server, "www.simple.test."), Is.EqualTo(IPAddress.Parse("192.0.2.1")));
    }

    [Test]
    public async Task NewAndRemovedZoneFilesAreNoticed()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["simple.test.zone"] = TestZones.Simple() });
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "other.test.zone"), TestZones.Simple("other.test.", "192.0.2.9"));
        File.Delete(Path.Combine(server.Directory, "simple.test.zone"));
        server.Services.GetRequiredService<ZoneStore>().Reload();
        Assert.That(await AddressOf(server, "www.other.test."), Is.EqualTo(IPAddress.Parse("192.0.2.9")));
        var gone = await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "www.simple.test." });
        Assert.That(gone.ReturnCode, Is.EqualTo(ReturnCode.Refused));
    }

    [Test]
    public async Task FileWatcherReloadsOnItsOwn()
    {
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["simple.test.zone"] = TestZones.Simple() },
            new Dictionary<string, string?> { ["WatchZones"] = "true" });
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "simple.test.zone"), TestZones.Simple(address: "192.0.2.3", serial: 3));
        IPAddress? seen = null;
        for (int i = 0; i < 100 && !IPAddress.Parse("192.0.2.3").Equals(seen); i++)
        {
            await Task.Delay(100);
            seen = await AddressOf(server, "www.simple.test.");
        }

        Assert.That(seen, Is.EqualTo(IPAddress.Parse("192.0.2.3")));
    }

    [Test]
    public async Task QueriesNeverFailDuringReloads()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["simple.test.zone"] = TestZones.Simple() });
        var store = server.Services.GetRequiredService<ZoneStore>();
        var path = Path.Combine(server.Directory, "simple.test.zone");
        var expected = IPAddress.Parse("192.0.2.1");
        using var stop = new CancellationTokenSource();
        long loaded = 1;
        int failedLoads = 0;
        var reloads = Task.Run(async () =>
        {
            // Every pass is a new version (serial 10, 11, ...) with the same address.
            for (uint serial = 10; !stop.IsCancellationRequested; serial++)
            {
                await File.WriteAllTextAsync(path, TestZones.Simple(serial: serial));
                if (store.Reload() != 0)
                {
                    Interlocked.Increment(ref failedLoads);
                }

                Interlocked.Exchange(ref loaded, serial);
            }
        });

        // At least 300 queries, and on until 20 reloads have completed while they ran and the
        // answers (SOA, every 10th query) came from 3 versions or more; bounded.
        int before = store.Reloads;
        int queries = 0;
        var wrong = new List<string>();
        var serials = new HashSet<uint>();
        var watch = Stopwatch.StartNew();
        while ((queries < 300 || store.Reloads - before < 20 || serials.Count < 3) && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            var address = await AddressOf(server, "www.simple.test.");
            if (!expected.Equals(address))
            {
                wrong.Add($"query {queries}: {address?.ToString() ?? "no address"}");
            }

            if (++queries % 10 == 0)
            {
                serials.Add(await SerialOf(server));
            }
        }

        int reloadsDuringQueries = store.Reloads - before;
        await stop.CancelAsync();
        await reloads;
        TestContext.Out.WriteLine($"{queries} queries, {reloadsDuringQueries} reloads meanwhile, {serials.Count} serials seen: {string.Join(" ", serials)}");

        Assert.Multiple(() =>
        {
            Assert.That(wrong, Is.Empty, "every query answered with the address every version has");
            Assert.That(failedLoads, Is.Zero);
            Assert.That(reloadsDuringQueries, Is.GreaterThanOrEqualTo(20), "reloads happened while the queries ran");
            Assert.That(serials, Has.Count.GreaterThanOrEqualTo(3), "the queries were answered by several versions");
        });

        // The last version loaded is the one served.
        Assert.That(Interlocked.Read(ref loaded), Is.GreaterThan(10));
        Assert.That(await SerialOf(server), Is.EqualTo((uint)Interlocked.Read(ref loaded)));
    }

    private static async Task<uint> SerialOf(TestServer server)
    {
        var reply = await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "simple.test.", Type = 6 });
        return reply.AnswerRecords.OfType<SoaRecord>().Single().SerialNumber;
    }
}
