using System.Net;
using System.Net.Sockets;
using System.Text;
using GeoDns.Hosting;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Metrics;

/// <summary>
/// <c>--otlp URL</c>: metrics are pushed to an OTLP/HTTP collector (a real HTTP listener standing
/// in for one) without the admin API; and the settings that are wrong fail at start.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class OtlpExportTests
{
    [Test]
    public async Task MetricsArePushedToTheOtlpEndpoint(CancellationToken token)
    {
        int port = LoopbackPorts.FreeTcpPort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["example.test.zone"] = TestZones.Conformance() },
            new Dictionary<string, string?>
            {
                ["Otlp"] = $"http://127.0.0.1:{port}/v1/metrics",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
            });
        Assert.That(server.Services.GetService<global::GeoDns.Admin.AdminService>(), Is.Null, "no admin API: OTLP alone turns metrics on");
        var reply = await DnsTestClient.UdpRawAsync(server.EndPoint, new QueryBuilder { Name = "www.example.test", Type = 1 }.Build());
        Assert.That(reply, Is.Not.Null);

        var seen = new List<string>();
        while (!token.IsCancellationRequested)
        {
            var context = await collector.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(15), token);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, token);
            context.Response.StatusCode = 200;
            context.Response.Close();
            string payload = Encoding.UTF8.GetString(body.ToArray());
            seen.Add($"{context.Request.HttpMethod} {context.Request.Url?.AbsolutePath} {context.Request.ContentType}");
            Assert.That(seen[^1], Is.EqualTo("POST /v1/metrics application/x-protobuf"));
            if (payload.Contains("dns.server.queries", StringComparison.Ordinal) && payload.Contains("example.test.", StringComparison.Ordinal))
            {
                Assert.That(payload, Does.Contain("GeoDns.Dns").And.Contain("geodns"), "the meter and the service name");
                return;
            }
        }

        Assert.Fail("no export carried dns.server.queries: " + string.Join("; ", seen));
    }

    [TestCase("Metrics", "sometimes", "--metrics 'sometimes' must be on or off")]
    [TestCase("Otlp", "collector:4317", "--otlp 'collector:4317' is not an http(s) URL")]
    [TestCase("Nsid", "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "--nsid is 129 octets long; at most 128")]
    public void WrongSettingsFailAtStart(string key, string value, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => GeoDnsHost.Build(new Dictionary<string, string?>
        {
            ["Zones"] = Path.GetTempPath(),
            ["Admin"] = "127.0.0.1:0",
            [key] = value,
        }).Dispose());
        Assert.That(error!.Message, Does.StartWith(message));
    }
}
