using System.Diagnostics;
using System.Net;
using GeoDns.Tests.Health;

namespace GeoDns.Tests.EndToEnd;

/// <summary>
/// The real <c>geodns serve</c> process with the real failover policy: a zone with $CHECK and a
/// failover POOL over two HTTP backends on 127.0.0.2 and 127.0.0.3; the primary stops, the answer
/// moves to the standby; the primary returns, the answer moves back.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class FailoverEndToEndTests
{
    private const string Name = "www.gtm.example.";

    [Test]
    public async Task AnswerMovesToTheStandbyWhenThePrimaryDiesAndBackWhenItReturns(CancellationToken token)
    {
        TestHttpServer? primary = new TestHttpServer(IPAddress.Parse("127.0.0.2"));
        int port = primary.Port;
        await using var standby = new TestHttpServer(IPAddress.Parse("127.0.0.3"), port);
        var directory = Directory.CreateTempSubdirectory("geodns-failover-");
        ServeInstance? server = null;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "gtm.example.zone"), $"""
                $ORIGIN gtm.example.
                $TTL 300
                @    SOA ns1 hostmaster 1 7200 900 1209600 60
                @    NS  ns1
                ns1  A   192.0.2.53
                $REGION primary continents=EU
                $REGION standby continents=NA
                $CHECK web http port={port} path=/ expect=200 interval=200ms timeout=150ms rise=2 fall=2
                www  30 POOL   A policy=failover check=web
                www  30 MEMBER primary 127.0.0.2
                www  30 MEMBER standby 127.0.0.3
                """, token);
            server = ServeInstance.Start("failover", directory.FullName);
            await server.WaitReadyAsync(Name, "127.0.0.2", TimeSpan.FromSeconds(60), token);
            Assert.That(primary.Requests, Is.Not.Empty, "the primary was probed before it answered");

            var watch = Stopwatch.StartNew();
            await primary.DisposeAsync();
            primary = null;
            var failover = await server.TimeUntilAnswerAsync(Name, "127.0.0.3", TimeSpan.FromSeconds(10), token, watch);
            Assert.That(failover, Is.Not.Null, "the answer did not move to the standby within 10 s\n" + server.Output);

            primary = new TestHttpServer(IPAddress.Parse("127.0.0.2"), port);
            watch.Restart();
            var failback = await server.TimeUntilAnswerAsync(Name, "127.0.0.2", TimeSpan.FromSeconds(10), token, watch);
            Assert.That(failback, Is.Not.Null, "the answer did not move back to the primary within 10 s\n" + server.Output);

            // interval=200ms fall=2 rise=2 gives about 0.1-0.35 s (bench/failover measures it); the 10 s bounds leave room for a loaded CI machine.
            TestContext.Out.WriteLine($"failover {failover!.Value.TotalSeconds:0.000} s, failback {failback!.Value.TotalSeconds:0.000} s");
            Assert.That(server.Output, Does.Contain("Health transition pool=www.gtm.example. member=127.0.0.2"));
        }
        finally
        {
            server?.Dispose();
            if (primary is not null)
            {
                await primary.DisposeAsync();
            }

            directory.Delete(recursive: true);
        }
    }
}
