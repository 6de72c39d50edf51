using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using System.Runtime.CompilerServices;
using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core;
using GeoDns.Hosting;
using GeoDns.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoDns.Tests.Server;

/// <summary>
/// The UDP listener's two loops: batched (recvmmsg/sendmmsg, Linux) and one receive + one
/// send per query (the fallback, forced here with <c>allowBatching: false</c>).
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
[Parallelizable(ParallelScope.None)]
public sealed class BatchedUdpTests(bool batching)
{
    private QueryProcessor _processor = null!;

    [OneTimeSetUp]
    public void LoadZone() => _processor = SimpleZone.Processor();

    [Test]
    public void BatchesOnLinuxWhenAllowed()
    {
        using var listener = Start("127.0.0.1", threads: 1);
        Assert.That(listener.IsBatched, Is.EqualTo(batching && OperatingSystem.IsLinux()));
    }

    [TestCase("127.0.0.1", "127.0.0.1")]
    [TestCase("::1", "::1")]
    [TestCase("::", "127.0.0.1")] // dual-mode socket: IPv4 clients arrive as IPv4-mapped addresses
    [TestCase("::", "::1")]
    public async Task ManyConcurrentClientsEachGetTheirOwnReplies(string bind, string client)
    {
        const int Clients = 20;
        const int QueriesPerClient = 50;
        using var listener = Start(bind, threads: 2);
        var server = new IPEndPoint(IPAddress.Parse(client), listener.LocalEndPoint.Port);

        var results = await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => AskManyAsync(server, c, QueriesPerClient))));

        Assert.That(results, Is.All.Empty, "per client: queries unanswered or answered wrongly");
    }

    [TestCase(1000)]
    [TestCase(65000)]
    public async Task LargeQueryIsAnsweredWhole(int size)
    {
        using var listener = Start("127.0.0.1", threads: 1);
        var packet = Padded(new QueryBuilder { Name = "www.simple.test.", Id = 4242, Edns = true }, size);
        Assert.That(packet, Has.Length.EqualTo(size));

        var reply = await DnsTestClient.UdpRawAsync(listener.LocalEndPoint, packet);

        Assert.That(reply, Is.Not.Null, "no reply");
        var message = DnsMessage.Parse(reply!);
        Assert.That(message.TransactionID, Is.EqualTo(4242));
        Assert.That(message.ReturnCode, Is.EqualTo(ReturnCode.NoError));
        Assert.That(message.AnswerRecords.OfType<ARecord>().Single().Address, Is.EqualTo(IPAddress.Parse("192.0.2.1")));
    }

    [Test]
    public async Task IdleThreadsEndOnStop()
    {
        var listener = Start("127.0.0.1", threads: 2);
        int port = listener.LocalEndPoint.Port;
        try
        {
            await Task.Delay(500); // every thread is now waiting in its receive call
            Assert.That(listener.AnyThreadAlive, Is.True);

            if (listener.IsBatched)
            {
                // Closing the descriptor does not wake recvmmsg: idle batched threads must notice the
                // stop flag on their own (the receive timeout), before Dispose closes the socket.
                listener.SignalStop();
                await WaitUntilAsync(() => !listener.AnyThreadAlive, "idle batched threads ended on the stop flag alone");
            }
        }
        finally
        {
            listener.Dispose();
        }

        await WaitUntilAsync(() => !listener.AnyThreadAlive, "every receive thread ended after Dispose");
        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.DoesNotThrow(() => again.Bind(new IPEndPoint(IPAddress.Loopback, port)), "the port is still bound");
    }

    /// <summary>Polls every 50 ms; fails after 10 s (generous: the threads look at the flag every 200 ms).</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "not within 10 s: " + what);
            await Task.Delay(50);
        }
    }

    [Test]
    public async Task SurvivesClientsWhosePortIsClosed()
    {
        using var listener = Start("127.0.0.1", threads: 1);

        // With IP_RECVERR the ICMP port-unreachable of each reply is reported on the listening
        // socket (ECONNREFUSED from the next receive): the listener must take it in stride.
        listener.Socket.SetSocketOption(SocketOptionLevel.IP, (SocketOptionName)11, 1);
        var query = new QueryBuilder { Name = "www.simple.test." }.Build();
        for (int i = 0; i < 20; i++)
        {
            using var gone = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            gone.SendTo(query, listener.LocalEndPoint);
            gone.Close(); // the reply finds the port closed
        }

        await Task.Delay(200);
        for (int i = 0; i < 5; i++)
        {
            var answer = await DnsTestClient.UdpAsync(listener.LocalEndPoint, new QueryBuilder { Name = "www.simple.test." });
            Assert.That(answer.AnswerRecords, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void LinuxSockaddrsGiveTheClientAddress()
    {
        var v4 = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(v4, LinuxSocketInterop.AfInet);
        IPAddress.Parse("192.0.2.7").TryWriteBytes(v4.AsSpan(4), out _);
        var v6 = new byte[28];
        BinaryPrimitives.WriteUInt16LittleEndian(v6, LinuxSocketInterop.AfInet6);
        IPAddress.Parse("2001:db8::7").TryWriteBytes(v6.AsSpan(8), out _);
        var mapped = (byte[])v6.Clone();
        IPAddress.Parse("::ffff:192.0.2.8").TryWriteBytes(mapped.AsSpan(8), out _);

        Assert.That(SocketAddresses.FromLinuxSockaddr(v4).ToIPAddress(), Is.EqualTo(IPAddress.Parse("192.0.2.7")));
        Assert.That(SocketAddresses.FromLinuxSockaddr(v6).ToIPAddress(), Is.EqualTo(IPAddress.Parse("2001:db8::7")));
        Assert.That(SocketAddresses.FromLinuxSockaddr(mapped).IsIPv4, Is.True);
        Assert.That(SocketAddresses.FromLinuxSockaddr(mapped).ToIPAddress(), Is.EqualTo(IPAddress.Parse("192.0.2.8")));
        Assert.That(SocketAddresses.FromLinuxSockaddr(new byte[16]), Is.EqualTo(Core.Wire.ClientAddress.None));
        Assert.That(SocketAddresses.FromLinuxSockaddr(v6.AsSpan(0, 20)), Is.EqualTo(Core.Wire.ClientAddress.None));
    }

    [Test]
    public void MessageHeadersHaveTheCLayout()
    {
        int pointer = IntPtr.Size;
        Assert.That(Unsafe.SizeOf<LinuxSocketInterop.IoVec>(), Is.EqualTo(2 * pointer));
        Assert.That(Unsafe.SizeOf<LinuxSocketInterop.MsgHdr>(), Is.EqualTo(7 * pointer));
        Assert.That(Unsafe.SizeOf<LinuxSocketInterop.MMsgHdr>(), Is.EqualTo(8 * pointer));
    }

    /// <summary>The query with an EDNS padding option that makes it exactly <paramref name="size"/> octets.</summary>
    private static byte[] Padded(QueryBuilder query, int size)
    {
        int empty = new QueryBuilder { Name = query.Name, Id = query.Id, Edns = true, Options = [(12, [])] }.Build().Length;
        return new QueryBuilder { Name = query.Name, Id = query.Id, Edns = true, Options = [(12, new byte[size - empty])] }.Build();
    }

    /// <summary>
    /// Sends <paramref name="count"/> queries at once from one socket (IDs unique to this
    /// client; names alternate between an existing one and one unique to the query), then
    /// reads the replies. Returns what went wrong, empty when every query got its own answer.
    /// </summary>
    private static async Task<List<string>> AskManyAsync(IPEndPoint server, int client, int count)
    {
        var problems = new List<string>();
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server);
        var expected = new Dictionary<ushort, string>();
        for (int q = 0; q < count; q++)
        {
            ushort id = (ushort)((client * 100) + q);
            string name = q % 2 == 0 ? "www.simple.test." : $"c{client}-q{q}.simple.test.";
            expected[id] = name;
            await socket.SendAsync(new QueryBuilder { Name = name, Id = id }.Build(), SocketFlags.None);
        }

        var buffer = new byte[65535];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            while (expected.Count > 0)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                var reply = DnsMessage.Parse(buffer[..n]);
                if (!expected.Remove(reply.TransactionID, out var name))
                {
                    problems.Add($"client {client}: reply with ID {reply.TransactionID} not asked by this client (or twice)");
                    continue;
                }

                string asked = reply.Questions.Single().Name.ToString();
                bool right = name.StartsWith("www", StringComparison.Ordinal)
                    ? reply.ReturnCode == ReturnCode.NoError && reply.AnswerRecords.OfType<ARecord>().Single().Address.Equals(IPAddress.Parse("192.0.2.1"))
                    : reply.ReturnCode == ReturnCode.NxDomain;
                if (!string.Equals(asked.TrimEnd('.') + ".", name, StringComparison.OrdinalIgnoreCase) || !right)
                {
                    problems.Add($"client {client}: ID {reply.TransactionID} asked {name}, reply for {asked} {reply.ReturnCode}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            problems.Add($"client {client}: {expected.Count} of {count} queries unanswered");
        }

        return problems;
    }

    private UdpListener Start(string bind, int threads)
    {
        // One socket per thread on Linux (a SO_REUSEPORT group), as geodns serve binds them.
        var listener = new UdpListener(new IPEndPoint(IPAddress.Parse(bind), 0), _processor, NullLogger.Instance, batching, threads: threads);
        listener.Start(threads);
        return listener;
    }
}
