using System.Net;
using ARSoft.Tools.Net.Dns;
using GeoDns.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Server;

[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class ListenerTests
{
    [Test]
    public async Task AnswersOnIPv6AndIPv4AtOnce()
    {
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["simple.test.zone"] = TestZones.Simple() },
            new Dictionary<string, string?>
            {
                ["Dns:0"] = $"127.0.0.1:{LoopbackPorts.FreeDnsPort()}",
                ["Dns:1"] = $"[::1]:{LoopbackPorts.FreeDnsPort(System.Net.IPAddress.IPv6Loopback)}",
            });
        var endpoints = server.Services.GetRequiredService<DnsServerService>().UdpEndPoints;
        Assert.That(endpoints, Has.Count.EqualTo(2));
        foreach (var endpoint in endpoints)
        {
            var udp = await DnsTestClient.UdpAsync(endpoint, new QueryBuilder { Name = "www.simple.test." });
            Assert.That(udp.AnswerRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.1")), endpoint.ToString());
            var tcp = await DnsTestClient.TcpAsync(endpoint, new QueryBuilder { Name = "www.simple.test." });
            Assert.That(tcp.AnswerRecords, Has.Count.EqualTo(1), endpoint.ToString());
        }

        Assert.That(endpoints[1].AddressFamily, Is.EqualTo(System.Net.Sockets.AddressFamily.InterNetworkV6));
    }
}
