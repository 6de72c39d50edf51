using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ARSoft.Tools.Net.Dns;
using GeoDns.Admin;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Admin;

/// <summary>
/// A pin to a drained region through the admin API of a real server: the API reports the
/// conflict, DNS answers as if unpinned (drain wins), and undraining puts the pin back in force.
/// </summary>
[CancelAfter(60_000)]
public sealed class PinDrainConflictTests
{
    private const string Token = "pin-drain-token";

    private const string Zone = """
        $ORIGIN pin.test.
        $TTL 60
        @    SOA ns1 hostmaster 1 7200 900 1209600 60
        @    NS  ns1
        ns1  A   192.0.2.53
        $REGION a continents=EU
        $REGION b continents=NA
        www  5 POOL   A policy=failover
        www  5 MEMBER a 192.0.2.1
        www  5 MEMBER b 192.0.2.2
        """;

    [Test]
    public async Task PinToADrainedRegionIsReportedAndAnsweredAsUnpinned()
    {
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        try
        {
            await using var server = await TestServer.StartAsync(
                new Dictionary<string, string> { ["pin.test.zone"] = Zone },
                new Dictionary<string, string?> { ["Admin"] = "127.0.0.1:0", ["AdminTokenFile"] = tokenFile });
            using var http = new HttpClient
            {
                BaseAddress = server.Services.GetRequiredService<AdminService>().Address,
                Timeout = TimeSpan.FromSeconds(10),
            };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

            Assert.That(await AnswerAsync(server), Is.EqualTo("192.0.2.1"), "failover order");
            Assert.That(await PostAsync(http, "/api/v1/pools/www.pin.test./pin/b"), Has.Length.Zero, "no conflict yet");
            Assert.That(await AnswerAsync(server), Is.EqualTo("192.0.2.2"), "pinned to b");

            var conflicts = await PostAsync(http, "/api/v1/regions/b/drain");
            Assert.That(conflicts, Has.Length.EqualTo(1));
            Assert.That(conflicts[0], Does.Contain("www.pin.test.").And.Contains("drain wins"));
            Assert.That(await AnswerAsync(server), Is.EqualTo("192.0.2.1"), "drain wins over the pin");

            // Pinning again while drained: accepted (kept for later), and the conflict is reported.
            conflicts = await PostAsync(http, "/api/v1/pools/www.pin.test./pin/b");
            Assert.That(conflicts, Has.Length.EqualTo(1));
            Assert.That(conflicts[0], Does.Contain("region b is drained"));
            Assert.That(await AnswerAsync(server), Is.EqualTo("192.0.2.1"));

            Assert.That(await PostAsync(http, "/api/v1/regions/b/undrain"), Has.Length.Zero);
            Assert.That(await AnswerAsync(server), Is.EqualTo("192.0.2.2"), "undrained: the pin is in force again");
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    /// <summary>POSTs and returns the conflicts the response lists under <c>overrides.conflicts</c>.</summary>
    private static async Task<string[]> PostAsync(HttpClient http, string path)
    {
        using var response = await http.PostAsync(path, content: null);
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var overrides = JsonDocument.Parse(body).RootElement.GetProperty("overrides");
        Assert.That(overrides.TryGetProperty("conflicts", out var conflicts), Is.True, body);
        return [.. conflicts.EnumerateArray().Select(c => c.GetString()!)];
    }

    private static async Task<string> AnswerAsync(TestServer server)
    {
        var reply = await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "www.pin.test." });
        return reply.AnswerRecords.OfType<ARecord>().Single().Address.ToString();
    }
}
