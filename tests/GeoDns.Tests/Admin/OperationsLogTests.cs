using System.Net;
using GeoDns.Tests.EndToEnd;
using GeoDns.Tests.Metrics;

namespace GeoDns.Tests.Admin;

/// <summary>
/// The log lines operators read, from the real <c>geodns serve</c> process: overrides name the
/// caller's address and the token's name (never the token), refused changes are logged, a zone
/// error is one line with file:line:column and no stack trace, and reloads are logged.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(90_000)]
public sealed class OperationsLogTests
{
    private const string Secret = "0p3rations-s3cret-t0ken";

    [Test]
    public async Task OverridesZoneErrorsAndMetricsOverTheRealProcess(CancellationToken token)
    {
        var directory = Directory.CreateTempSubdirectory("geodns-oplog-");
        string tokenFile = Path.Combine(directory.FullName, "ops-alice.token");
        var zones = Directory.CreateDirectory(Path.Combine(directory.FullName, "zones"));
        ServeInstance? server = null;
        try
        {
            await File.WriteAllTextAsync(tokenFile, Secret + "\n", token);
            await File.WriteAllTextAsync(Path.Combine(zones.FullName, "ops.test.zone"), """
                $ORIGIN ops.test.
                $TTL 60
                @    SOA ns1 hostmaster 5 7200 900 1209600 60
                @    NS  ns1
                ns1  A   192.0.2.53
                $REGION eu-west continents=EU
                $REGION us-east continents=NA
                www  30 POOL   A policy=failover
                www  30 MEMBER eu-west 192.0.2.10
                www  30 MEMBER us-east 192.0.2.20
                """, token);
            await File.WriteAllTextAsync(Path.Combine(zones.FullName, "broken.test.zone"), """
                $ORIGIN broken.test.
                $TTL 60
                @    SOA ns1 hostmaster 1 7200 900 1209600 60
                @    NS  ns1
                www  A   192.0.2.300
                """, token);

            server = ServeInstance.Start("oplog", zones.FullName, tokenFile: tokenFile);
            await server.WaitReadyAsync("www.ops.test.", "192.0.2.10", TimeSpan.FromSeconds(60), token);

            using (var refused = await server.PostAsync("/api/v1/regions/eu-west/drain", "wrong-token", token))
            {
                Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            }

            using (var drained = await server.PostAsync("/api/v1/regions/eu-west/drain", Secret, token))
            {
                Assert.That(drained.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            Assert.That(await server.TimeUntilAnswerAsync("www.ops.test.", "192.0.2.20", TimeSpan.FromSeconds(5), token), Is.Not.Null);
            var scrape = PrometheusText.Parse(await server.GetTextAsync("/metrics", token));
            Assert.That(scrape.Sum("geodns_region_drained", ("geodns_region", "eu-west")), Is.EqualTo(1));
            Assert.That(scrape.Sum("geodns_zone_loads_total", ("dns_zone", "broken.test."), ("geodns_zone_load_result", "failed")), Is.EqualTo(1));
            Assert.That(scrape.Sum("geodns_zone_load_failing", ("dns_zone", "broken.test.")), Is.EqualTo(1));

            var lines = server.Output.Split('\n');
            Assert.Multiple(() =>
            {
                Assert.That(lines.Where(l => l.Contains("Override region:eu-west=drained by 127.0.0.1:", StringComparison.Ordinal)
                    && l.Contains("(token ops-alice.token)", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(1), server.Output);
                Assert.That(lines.Where(l => l.Contains("Admin change refused for 127.0.0.1:", StringComparison.Ordinal)
                    && l.Contains("POST /api/v1/regions/eu-west/drain (401", StringComparison.Ordinal)).ToList(), Has.Count.EqualTo(1), server.Output);
                Assert.That(server.Output, Does.Not.Contain(Secret), "the token itself is never logged");
                Assert.That(server.Output, Does.Not.Contain("warm-up"), "the admin service's own warm-up request is not logged");

                var error = lines.Where(l => l.Contains("broken.test.zone:5:", StringComparison.Ordinal)).ToList();
                Assert.That(error, Has.Count.EqualTo(1), server.Output);
                Assert.That(error.Single(), Does.Contain(": error: "));
                Assert.That(lines.Where(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).ToList(), Is.Empty, "no stack trace");
                Assert.That(server.Output, Does.Contain("Reload 1 (start): serving 1 zone(s); 1 failed to load, 0 deleted"));
                // how long collections stopped the process during the reload (a large zone's stall)
                Assert.That(server.Output, Does.Match(@"Reload 1 \(start\): .* \d+ ms, garbage collections paused threads \d+ ms"));
            });
        }
        finally
        {
            server?.Dispose();
            directory.Delete(recursive: true);
        }
    }
}
