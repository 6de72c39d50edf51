using System.Net;
using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Health;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Health;

/// <summary>A zone's <c>tcp-half-open</c> check, served: answers follow the members' SYN-ACKs, and a member that starts listening comes back.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
[CancelAfter(30_000)]
public sealed class HalfOpenServeTests
{
    private static string Zone(int primaryPort, int secondaryPort) => HealthTestZones.FailoverZoneText("half.test.",
        $"tcp-half-open  ( port={secondaryPort} interval=200ms timeout=100ms rise=1 fall=1 )", primaryPort);

    [Test]
    public async Task AnswersFollowTheMembersSynAcks(CancellationToken token)
    {
        int primaryPort = LoopbackPorts.FreeTcpPort();
        using var secondary = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        secondary.Start();
        try
        {
            int secondaryPort = ((IPEndPoint)secondary.LocalEndpoint).Port;
            await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["half.test.zone"] = Zone(primaryPort, secondaryPort) });
            var board = server.Services.GetRequiredService<HealthBoard>();
            var primary = board.Members.Single(m => m.Key.Member == "127.0.0.1");
            Assert.That(primary.Local, Is.EqualTo(HealthStatus.Down), primary.LocalReason);
            Assert.That(primary.LocalReason, Does.Contain("connection refused"));
            Assert.That(await AnswerAsync(server), Is.EqualTo(IPAddress.Parse("127.0.0.2")), "the refused primary is skipped");

            using var revived = new System.Net.Sockets.TcpListener(IPAddress.Loopback, primaryPort);
            revived.Start();
            await Redis.SharedNode.WaitForAsync(() => primary.Local == HealthStatus.Up, TimeSpan.FromSeconds(10), "the revived primary's first SYN-ACK");

            Assert.That(primary.Local, Is.EqualTo(HealthStatus.Up), primary.LocalReason);
            Assert.That(await AnswerAsync(server), Is.EqualTo(IPAddress.Parse("127.0.0.1")), "back once it answers SYNs");
            revived.Stop();
        }
        finally
        {
            secondary.Stop();
        }
    }

    private static async Task<IPAddress> AnswerAsync(TestServer server)
    {
        var reply = await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "www.half.test." });
        return reply.AnswerRecords.OfType<ARecord>().Single().Address;
    }
}
