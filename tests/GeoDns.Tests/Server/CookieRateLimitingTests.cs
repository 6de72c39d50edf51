using System.Net;
using System.Net.Sockets;
using GeoDns.Admin;
using GeoDns.Core;
using GeoDns.Tests.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Server;

/// <summary>
/// Cookies meeting response rate limiting over real UDP sockets from loopback sources in one
/// /24: a flood is limited, the same client holding a valid server cookie gets every answer, a
/// client cookie alone over the limit gets BADCOOKIE, and <c>/metrics</c> counts all of it.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(90_000)]
public sealed class CookieRateLimitingTests
{
    private const string ClientCookie = "c0c1c2c3c4c5c6c7";

    private record struct Replies(int Full, int Truncated, int BadCookie);

    /// <summary>Sends <paramref name="count"/> queries from <paramref name="source"/> without waiting, then counts the replies by kind.</summary>
    private static async Task<Replies> FloodAsync(IPEndPoint server, IPAddress source, int count, string? cookieHex)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 8 << 20;
        socket.Bind(new IPEndPoint(source, 0));
        socket.Connect(server);
        var replies = default(Replies);
        var buffer = new byte[65535];
        var receiving = Task.Run(async () =>
        {
            while (true)
            {
                using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                try
                {
                    await socket.ReceiveAsync(buffer, SocketFlags.None, quiet.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                int answers = (buffer[6] << 8) | buffer[7];
                if (answers > 0)
                {
                    replies.Full++;
                }
                else if ((buffer[2] & 0x02) != 0)
                {
                    replies.Truncated++;
                }
                else if ((buffer[3] & 0xF) == (23 & 0xF))
                {
                    replies.BadCookie++;
                }
            }
        });
        List<(ushort, byte[])> options = cookieHex is null ? [] : [(10, Convert.FromHexString(cookieHex))];
        for (int i = 0; i < count; i++)
        {
            socket.Send(new QueryBuilder { Name = "www.example.test", Id = (ushort)i, Edns = true, Options = options }.Build());
            if (i % 50 == 49)
            {
                await Task.Delay(5);
            }
        }

        await receiving.WaitAsync(TimeSpan.FromSeconds(30));
        return replies;
    }

    [Test]
    public async Task AFloodIsLimitedButAClientWithAValidCookieGetsEveryAnswerAndMetricsCountIt()
    {
        await using var server = await CookieDigTests.StartAsync(CookieDigTests.Secret, new Dictionary<string, string?>
        {
            ["Rrl:ResponsesPerSecond"] = "5",
            ["Rrl:Slip"] = "2",
            ["Rrl:Window"] = "15", // the prefix stays over its limit for the whole test
            ["Admin"] = "127.0.0.1:0",
        });
        using var http = new HttpClient { BaseAddress = server.Services.GetRequiredService<AdminService>().Address, Timeout = TimeSpan.FromSeconds(10) };

        // The client at 127.0.0.2 learns its cookie over TCP (never limited).
        string cookie = CookieDigTests.ReplyCookie(await DigTests.Dig(server.EndPoint, $"-b 127.0.0.2 www.example.test A +norec +tcp +cookie={ClientCookie}"));

        // A flood from its neighbour in 127.0.0.0/24 puts the prefix over its limit...
        var flood = await FloodAsync(server.EndPoint, IPAddress.Parse("127.0.0.3"), 400, cookieHex: null);

        // ...but the client, sending its valid cookie, gets every answer.
        var withCookie = await FloodAsync(server.EndPoint, IPAddress.Parse("127.0.0.2"), 400, cookie);

        // With a client cookie only, what would have slipped is BADCOOKIE with a fresh cookie.
        var clientOnly = await FloodAsync(server.EndPoint, IPAddress.Parse("127.0.0.2"), 200, ClientCookie);
        TestContext.Out.WriteLine($"flood {flood}; with a valid cookie {withCookie}; client cookie only {clientOnly}");

        var scrape = await PrometheusText.ScrapeAsync(http);
        var limiter = server.Services.GetRequiredService<QueryProcessor>().RateLimiter!;
        Assert.Multiple(() =>
        {
            Assert.That(flood.Full, Is.LessThan(100), "the flood is limited");
            Assert.That(flood.Truncated, Is.GreaterThan(50), "every second limited reply slips");
            Assert.That(withCookie, Is.EqualTo(new Replies(400, 0, 0)), "a valid cookie is never limited");
            Assert.That(clientOnly.BadCookie, Is.GreaterThan(20));
            Assert.That((clientOnly.Truncated, clientOnly.Full), Is.EqualTo((0, 0)), "no TC=1 slips to a query with a cookie, and the prefix is still over");

            // What the limiter cut, as the metrics and the limiter's own counters see it, and as the
            // clients did (a reply lost on the way would make the clients see less, never more).
            double slipped = scrape.Sum("geodns_rrl_responses_total", ("geodns_rrl_action", "slip"));
            double dropped = scrape.Sum("geodns_rrl_responses_total", ("geodns_rrl_action", "drop"));
            Assert.That((slipped, dropped), Is.EqualTo(((double)limiter.Slipped, (double)limiter.Dropped)));
            Assert.That(slipped, Is.GreaterThanOrEqualTo(flood.Truncated + clientOnly.BadCookie).And.LessThan(flood.Truncated + clientOnly.BadCookie + 20),
                "slips: TC=1 and BADCOOKIE");
            Assert.That(slipped + dropped, Is.EqualTo(600 - flood.Full), "every limited reply of the flood and of the client cookie alone");
            Assert.That(scrape.Sum("geodns_cookies_total", ("geodns_cookie_outcome", "valid"), ("network_transport", "udp")), Is.EqualTo(400));
            Assert.That(scrape.Sum("geodns_cookies_total", ("geodns_cookie_outcome", "fresh"), ("network_transport", "udp")), Is.EqualTo(200));
            Assert.That(scrape.Sum("geodns_cookies_total", ("geodns_cookie_outcome", "fresh"), ("network_transport", "tcp")), Is.EqualTo(1));
            Assert.That(scrape.Sum("dns_server_queries_total", ("dns_response_code", "BADCOOKIE")), Is.EqualTo(clientOnly.BadCookie));
        });
    }

    [Test]
    public async Task DigOverTheLimitIsToldBadCookieAndRetriesWithTheNewCookie()
    {
        await using var server = await CookieDigTests.StartAsync(CookieDigTests.Secret, new Dictionary<string, string?>
        {
            ["Rrl:ResponsesPerSecond"] = "1",
            ["Rrl:Slip"] = "1",
            ["Rrl:Window"] = "60",
        });
        await FloodAsync(server.EndPoint, IPAddress.Parse("127.0.0.3"), 100, cookieHex: null);

        var output = await DigTests.Dig(server.EndPoint, $"-b 127.0.0.2 www.example.test A +norec +cookie={ClientCookie}");
        TestContext.Out.WriteLine(output);
        Assert.That(output, Does.Contain("BADCOOKIE"));
        Assert.That(output, Does.Contain("status: NOERROR").And.Contain("192.0.2.1"), "the retry with the server cookie is answered");
    }
}
