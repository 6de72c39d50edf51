using GeoDns.Core;
using GeoDns.Core.Wire;
using GeoDns.Server;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Metrics;

/// <summary>
/// What counting adds to one query, in process (no sockets): the query path alone, with its
/// outcome, and with a listener thread's tally counting it while the real meter provider
/// listens. Run by hand: <c>dotnet test --filter CountingCostBenchmark</c>.
/// </summary>
[TestFixture]
[Explicit("a timing measurement, not a test")]
public sealed class CountingCostBenchmark
{
    [Test]
    public async Task NanosecondsPerQuery()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["metrics.test.zone"] = MetricsEndpointTests.ZoneText(9) },
            new Dictionary<string, string?> { ["Admin"] = "127.0.0.1:0" });
        var processor = server.Services.GetRequiredService<QueryProcessor>();
        var metrics = server.Services.GetRequiredService<DnsMetrics>();
        byte[][] queries =
        [
            new QueryBuilder { Name = "www.metrics.test", Type = 1, Edns = true }.Build(),
            new QueryBuilder { Name = "gtm.metrics.test", Type = 1 }.Build(),
            new QueryBuilder { Name = "nothing.metrics.test", Type = 28, Edns = true }.Build(),
            new QueryBuilder { Name = "www.metrics.test", Type = 15 }.Build(),
        ];
        var response = new byte[DnsWire.MaxMessageLength];
        var client = ClientAddress.FromIPv4(0x7F000001);
        var tally = metrics.NewUdpTally();
        const int N = 1_000_000;

        double Plain()
        {
            var t = Environment.CpuUsage.TotalTime;
            for (int i = 0; i < N; i++)
            {
                processor.Process(queries[i & 3], response, client, overTcp: false);
            }

            return (Environment.CpuUsage.TotalTime - t).TotalNanoseconds / N;
        }

        double Outcome()
        {
            var t = Environment.CpuUsage.TotalTime;
            for (int i = 0; i < N; i++)
            {
                processor.Process(queries[i & 3], response, client, overTcp: false, out var outcome);
                GC.KeepAlive(outcome.Zone);
            }

            return (Environment.CpuUsage.TotalTime - t).TotalNanoseconds / N;
        }

        double Counted()
        {
            var t = Environment.CpuUsage.TotalTime;
            for (int i = 0; i < N; i++)
            {
                long started = tally.Start();
                processor.Process(queries[i & 3], response, client, overTcp: false, out var outcome);
                tally.Record(outcome, started);
            }

            return (Environment.CpuUsage.TotalTime - t).TotalNanoseconds / N;
        }

        var results = new List<(double Plain, double Outcome, double Counted)>();
        for (int round = 0; round < 11; round++)
        {
            results.Add((Plain(), Outcome(), Counted()));
        }

        static double Median(IEnumerable<double> values) => values.Order().ElementAt(5);
        TestContext.Out.WriteLine($"CPU ns per query, median of 11 interleaved rounds of {N}: plain {Median(results.Select(r => r.Plain)):0.0}, "
            + $"with outcome {Median(results.Select(r => r.Outcome)):0.0}, counted {Median(results.Select(r => r.Counted)):0.0}");
    }
}
