using System.Net;
using System.Net.Sockets;
using GeoDns.Core;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Server;

/// <summary>Response rate limiting over real UDP and TCP sockets, from two loopback source addresses.</summary>
public sealed class RateLimitingTests
{
    private static Dictionary<string, string?> Settings(int rate) => new()
    {
        ["Rrl:ResponsesPerSecond"] = rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Rrl:Slip"] = "2",
        ["Rrl:Window"] = "5",

        // 127.0.0.2 and 127.0.0.3 share a /24: limit per address here.
        ["Rrl:Ipv4Prefix"] = "32",
    };

    /// <summary>Sends <paramref name="count"/> queries from <paramref name="source"/> without waiting, then counts the replies.</summary>
    private static async Task<(int Full, int Truncated)> FloodAsync(IPEndPoint server, IPAddress source, int count)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 8 << 20;
        socket.Bind(new IPEndPoint(source, 0));
        socket.Connect(server);
        int full = 0;
        int truncated = 0;
        var buffer = new byte[65535];
        var receiving = Task.Run(async () =>
        {
            while (true)
            {
                using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                int n;
                try
                {
                    n = await socket.ReceiveAsync(buffer, SocketFlags.None, quiet.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                bool tc = (buffer[2] & 0x02) != 0;
                int answers = (buffer[6] << 8) | buffer[7];
                if (tc && answers == 0)
                {
                    truncated++;
                }
                else if (answers > 0)
                {
                    full++;
                }
            }
        });
        for (int i = 0; i < count; i++)
        {
            var packet = new QueryBuilder { Name = "www.example.test", Id = (ushort)i }.Build();
            socket.Send(packet);
            if (i % 100 == 99)
            {
                await Task.Delay(5); // spread the flood over a few hundred milliseconds
            }
        }

        await receiving.WaitAsync(TimeSpan.FromSeconds(30));
        return (full, truncated);
    }

    [Test, CancelAfter(60_000)]
    public async Task AFloodFromOneSourceIsCutWhileAnotherSourceIsAnswered()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["example.test.zone"] = TestZones.Conformance() }, Settings(rate: 20));
        var flood = Task.Run(() => FloodAsync(server.EndPoint, IPAddress.Parse("127.0.0.2"), 3000));

        // Meanwhile a legitimate client at 127.0.0.3 asks 15 times, waiting for each answer.
        int answered = 0;
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            client.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
            client.Connect(server.EndPoint);
            var buffer = new byte[65535];
            for (int i = 0; i < 15; i++)
            {
                client.Send(new QueryBuilder { Name = "www.example.test", Id = (ushort)(50000 + i) }.Build());
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                int n = await client.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                if (n > 12 && (buffer[2] & 0x02) == 0 && ((buffer[6] << 8) | buffer[7]) == 2)
                {
                    answered++;
                }

                await Task.Delay(20);
            }
        }

        var (full, truncated) = await flood;
        TestContext.Out.WriteLine($"flood: 3000 sent, {full} full, {truncated} truncated; legitimate: 15 sent, {answered} answered");
        Assert.That(answered, Is.EqualTo(15), "the other source is unaffected");
        Assert.That(full, Is.LessThan(300), "most of the flood is cut");
        Assert.That(truncated, Is.InRange(300, 1600), "every second limited reply slips");
        var limiter = server.Services.GetRequiredService<QueryProcessor>().RateLimiter!;
        Assert.That(limiter.Slipped, Is.EqualTo(truncated).Within(50));
        Assert.That(limiter.Dropped, Is.GreaterThan(1000));
    }

    [Test, CancelAfter(60_000)]
    public async Task TcpIsNeverLimited()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["example.test.zone"] = TestZones.Conformance() }, Settings(rate: 1));
        for (int i = 0; i < 10; i++)
        {
            var reply = await DnsTestClient.TcpAsync(server.EndPoint, new QueryBuilder { Name = "www.example.test" });
            Assert.That(reply.AnswerRecords, Has.Count.EqualTo(2));
        }
    }

    [Test, CancelAfter(60_000)]
    public async Task OffByDefault()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["example.test.zone"] = TestZones.Conformance() });
        Assert.That(server.Services.GetRequiredService<QueryProcessor>().RateLimiter, Is.Null);
    }
}
