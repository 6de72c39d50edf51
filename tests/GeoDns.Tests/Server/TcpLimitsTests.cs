using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace GeoDns.Tests.Server;

/// <summary>TCP limits: connections per client, slow senders, bad framing, replies larger than a message.</summary>
public sealed class TcpLimitsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static Task<TestServer> Start(Dictionary<string, string?> settings, string? zone = null) =>
        TestServer.StartAsync(new Dictionary<string, string> { ["example.test.zone"] = zone ?? TestZones.Conformance() }, settings);

    private static async Task<Socket> ConnectFrom(IPAddress source, IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(server);
        return socket;
    }

    private static async Task<byte[]?> AskAsync(Socket socket, string name)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var deadline = new CancellationTokenSource(Bound);
        try
        {
            await DnsTestClient.WriteFramedAsync(stream, new QueryBuilder { Name = name }.Build());
            return await DnsTestClient.ReadFramedAsync(stream).WaitAsync(deadline.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>Waits for the server to close <paramref name="socket"/>; returns how long it took.</summary>
    private static async Task<TimeSpan> ClosedWithin(Socket socket, Stopwatch watch)
    {
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(Bound);
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // reset: closed too
        }

        return watch.Elapsed;
    }

    [Test, CancelAfter(60_000)]
    public async Task OneClientCannotHoldMoreThanItsConnections()
    {
        await using var server = await Start(new() { ["TcpMaxConnectionsPerClient"] = "2", ["TcpIdleTimeoutSeconds"] = "30" });
        var a = IPAddress.Parse("127.0.0.2");
        using var first = await ConnectFrom(a, server.EndPoint);
        using var second = await ConnectFrom(a, server.EndPoint);
        Assert.That(await AskAsync(first, "www.example.test"), Is.Not.Null);
        Assert.That(await AskAsync(second, "www.example.test"), Is.Not.Null);

        using var third = await ConnectFrom(a, server.EndPoint);
        var watch = Stopwatch.StartNew();
        Assert.That(await AskAsync(third, "www.example.test"), Is.Null, "a third connection from the same address is closed");
        Assert.That(await ClosedWithin(third, watch), Is.LessThan(TimeSpan.FromSeconds(5)));

        using var other = await ConnectFrom(IPAddress.Parse("127.0.0.3"), server.EndPoint);
        Assert.That(await AskAsync(other, "www.example.test"), Is.Not.Null, "another address is served");

        // A slot comes back when a connection closes.
        first.Dispose();
        byte[]? again = null;
        for (int i = 0; i < 50 && again is null; i++)
        {
            await Task.Delay(100);
            using var retry = await ConnectFrom(a, server.EndPoint);
            again = await AskAsync(retry, "www.example.test");
        }

        Assert.That(again, Is.Not.Null);
    }

    [Test, CancelAfter(60_000)]
    public async Task ASlowSenderIsClosedAtTheIdleTimeout()
    {
        // One octet every 200 ms would take ~7 s to send the query: the 1 s timeout covers the whole message.
        await using var server = await Start(new() { ["TcpIdleTimeoutSeconds"] = "1" });
        using var client = await ConnectFrom(IPAddress.Loopback, server.EndPoint);
        var packet = new QueryBuilder { Name = "www.example.test" }.Build();
        byte[] framed = [(byte)(packet.Length >> 8), (byte)packet.Length, .. packet];
        var watch = Stopwatch.StartNew();
        bool closed = false;
        try
        {
            foreach (var b in framed)
            {
                await client.SendAsync(new[] { b }, SocketFlags.None);
                await Task.Delay(200);
                if (client.Poll(0, SelectMode.SelectRead) && client.Available == 0)
                {
                    closed = true;
                    break;
                }
            }
        }
        catch (SocketException)
        {
            closed = true;
        }

        Assert.That(closed, Is.True, "closed before the message was complete");
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)));
    }

    [Test, CancelAfter(60_000)]
    public async Task AZeroLengthMessageClosesTheConnection()
    {
        await using var server = await Start(new() { ["TcpIdleTimeoutSeconds"] = "30" });
        using var client = await ConnectFrom(IPAddress.Loopback, server.EndPoint);
        await client.SendAsync(new byte[] { 0, 0 }, SocketFlags.None);
        Assert.That(await ClosedWithin(client, Stopwatch.StartNew()), Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test, CancelAfter(60_000)]
    public async Task QueriesBeforeAZeroLengthMessageInTheSameWriteAreAnsweredFirst()
    {
        await using var server = await Start(new() { ["TcpIdleTimeoutSeconds"] = "30" });
        using var client = await ConnectFrom(IPAddress.Loopback, server.EndPoint);
        var packet = new QueryBuilder { Name = "www.example.test", Id = 77 }.Build();
        byte[] framed = [(byte)(packet.Length >> 8), (byte)packet.Length, .. packet, 0, 0];
        await client.SendAsync(framed, SocketFlags.None);

        using var stream = new NetworkStream(client, ownsSocket: false);
        using var deadline = new CancellationTokenSource(Bound);
        var reply = DnsMessage.Parse(await DnsTestClient.ReadFramedAsync(stream).WaitAsync(deadline.Token));
        Assert.That(reply.TransactionID, Is.EqualTo(77));
        Assert.That(await ClosedWithin(client, Stopwatch.StartNew()), Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test, CancelAfter(60_000)]
    public async Task AnRRsetLargerThanAMessageIsSentTruncated()
    {
        // 5000 A records (~80 KB) cannot fit one 65535-octet message, even over TCP.
        var zone = """
            $ORIGIN example.test.
            $TTL 300
            @ SOA ns1 hostmaster 1 3600 900 604800 120
            @ NS ns1
            ns1 A 192.0.2.53

            """ + string.Join('\n', Enumerable.Range(0, 5000).Select(i => $"big A 10.{i >> 16}.{(i >> 8) & 255}.{i & 255}")) + "\n";
        await using var server = await Start(new() { ["TcpIdleTimeoutSeconds"] = "30" }, zone);

        var tcp = await DnsTestClient.TcpAsync(server.EndPoint, new QueryBuilder { Name = "big.example.test" });
        TestContext.Out.WriteLine($"TCP: TC={tcp.IsTruncated} answers={tcp.AnswerRecords.Count}");
        Assert.That(tcp.IsTruncated, Is.True);
        Assert.That(tcp.AnswerRecords, Is.Empty);

        var udp = await DnsTestClient.UdpAsync(server.EndPoint, new QueryBuilder { Name = "big.example.test" });
        Assert.That(udp.IsTruncated, Is.True);

        // Up to a message's worth, the whole RRset goes out over TCP.
        var fits = await DnsTestClient.TcpAsync(server.EndPoint, new QueryBuilder { Name = "ns1.example.test" });
        Assert.That(fits.AnswerRecords, Has.Count.EqualTo(1));
    }
}
