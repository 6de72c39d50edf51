using System.Diagnostics;
using System.Net;
using System.Text.Json;
using GeoDns.Hosting;
using GeoDns.Tests.Health;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Admin;

/// <summary><c>/readyz</c> of <c>geodns serve</c> says 503 until the DNS listeners answer, 200 after.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class ReadinessTests
{
    [Test]
    public async Task ReadyzWaitsForTheDnsListeners(CancellationToken token)
    {
        // A backend that answers only after 5 s holds the first round of checks for its 2 s timeout.
        await using var slow = new TestHttpServer(IPAddress.Loopback) { Delay = TimeSpan.FromSeconds(5) };
        var directory = Directory.CreateTempSubdirectory("geodns-ready-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "ready.test.zone"), $"""
                $ORIGIN ready.test.
                $TTL 60
                @    SOA ns1 hostmaster 1 7200 900 1209600 60
                @    NS  ns1
                ns1  A   192.0.2.53
                $REGION one continents=EU
                $CHECK web http port={slow.Port} path=/ interval=5s timeout=2s target=127.0.0.1
                www  30 POOL   A policy=failover check=web
                www  30 MEMBER one 192.0.2.10
                """, token);
            int adminPort = LoopbackPorts.FreeTcpPort();
            using var host = GeoDnsHost.Build(new Dictionary<string, string?>
            {
                ["Zones"] = directory.FullName,
                ["Dns:0"] = $"127.0.0.1:{LoopbackPorts.FreeDnsPort()}",
                ["WatchZones"] = "false",
                ["Admin"] = $"127.0.0.1:{adminPort}",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}"), Timeout = TimeSpan.FromSeconds(5) };
            var starting = host.StartAsync(token);
            var early = new List<(HttpStatusCode Status, string Body)>();
            var watch = Stopwatch.StartNew();
            while (!starting.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(30))
            {
                try
                {
                    using var response = await http.GetAsync("/readyz", token);
                    if (!starting.IsCompleted)
                    {
                        early.Add((response.StatusCode, await response.Content.ReadAsStringAsync(token)));
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(50, token);
            }

            await starting;
            Assert.That(early, Is.Not.Empty, "the admin API answered while the DNS listeners were not open yet");
            Assert.That(early.Select(e => e.Status), Is.All.EqualTo(HttpStatusCode.ServiceUnavailable), string.Join("\n", early.Select(e => e.Body)));
            Assert.That(early[0].Body, Does.Contain("\"name\":\"dns\",\"ready\":false"));

            using var ready = await http.GetAsync("/readyz", token);
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var checks = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(token)).RootElement.GetProperty("checks");
            Assert.That(checks.EnumerateArray().Select(c => c.GetProperty("name").GetString()), Does.Contain("dns"));
            Assert.That(host.Services.GetRequiredService<DnsServerService>().Ready, Is.True);

            await host.StopAsync(token);
            Assert.That(host.Services.GetRequiredService<DnsServerService>().Ready, Is.False);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
