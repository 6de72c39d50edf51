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
        for (int i = 0; i < 50 && !IPAddress.Parse("192.0.2.3").Equals(seen); i++)
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
        using var stop = new CancellationTokenSource();
        var reloads = Task.Run(async () =>
        {
            int serial = 10;
            while (!stop.IsCancellationRequested)
            {
                await File.WriteAllTextAsync(Path.Combine(server.Directory, "simple.test.zone"), TestZones.Simple(serial: (uint)serial++));
                store.Reload();
            }
        });
        int answered = 0;
        for (int i = 0; i < 300; i++)
        {
            var address = await AddressOf(server, "www.simple.test.");
            if (IPAddress.Parse("192.0.2.1").Equals(address))
            {
                answered++;
            }
        }

        await stop.CancelAsync();
        await reloads;
        Assert.That(answered, Is.EqualTo(300));
    }
}
