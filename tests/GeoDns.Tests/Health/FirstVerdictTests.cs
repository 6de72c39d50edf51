using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Health;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Health;

/// <summary>
/// A black-holed backend (its first TCP probe times out) is not served from the first answer
/// on: the first probe's result stands, a timeout included.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
[CancelAfter(30_000)]
public sealed class FirstVerdictTests
{
    private static string Zone(int blackHoled, int open) => HealthTestZones.FailoverZoneText("first.test.",
        $"tcp  ( port={open} interval=10s timeout=500ms rise=2 fall=2 )", blackHoled);

    [Test]
    public async Task BlackHoledMemberIsDownFromTheFirstAnswer(CancellationToken token)
    {
        // A listener that never accepts, its backlog full: further SYNs are dropped, connects time out.
        using var blackHole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackHole.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blackHole.Listen(0);
        var fillers = new List<Socket>();
        using var open = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        open.Start();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                _ = filler.ConnectAsync(blackHole.LocalEndPoint!, token).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await Task.Delay(100, token);
            int blackHoledPort = ((IPEndPoint)blackHole.LocalEndPoint!).Port;
            int openPort = ((IPEndPoint)open.LocalEndpoint).Port;
            await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["first.test.zone"] = Zone(blackHoledPort, openPort) });

            // The server answers only after the first round: that round's verdicts are already in.
            var board = server.Services.GetRequiredService<HealthBoard>();
            var dead = board.Members.Single(m => m.Key.Member == "127.0.0.1");
            var alive = board.Members.Single(m => m.Key.Member == "127.0.0.2");
            Assert.Multiple(() =>
            {
                Assert.That(dead.Local, Is.EqualTo(HealthStatus.Down), dead.LocalReason);
                Assert.That(dead.LocalReason, Does.Contain("timed out"));
                Assert.That(dead.Usable, Is.False);
                Assert.That(alive.Local, Is.EqualTo(HealthStatus.Up), alive.LocalReason);
            });

            var reply = await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "www.first.test." });
            Assert.That(reply.AnswerRecords.OfType<ARecord>().Select(r => r.Address), Is.EqualTo(new[] { IPAddress.Parse("127.0.0.2") }),
                "failover skips the black-holed primary from the first answer");
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
            open.Stop();
        }
    }
}
