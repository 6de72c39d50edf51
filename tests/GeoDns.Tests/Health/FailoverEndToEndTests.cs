using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core;
using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Health;
using GeoDns.Hosting;
using GeoDns.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoDns.Tests.Health;

/// <summary>
/// Zone file with $CHECK/POOL/MEMBER -> ZoneStore -> HealthMonitor probing real HTTP servers on
/// 127.0.0.2 and 127.0.0.3 -> HealthBoard -> a failover answer -> UDP listener -> a query.
/// </summary>
[CancelAfter(60_000)]
public sealed class FailoverEndToEndTests
{
    [Test]
    public async Task AnswerMovesToTheStandbyWhenThePrimaryDiesAndBackWhenItReturns(CancellationToken token)
    {
        var primary = new TestHttpServer(IPAddress.Parse("127.0.0.2"));
        int port = primary.Port;
        await using var standby = new TestHttpServer(IPAddress.Parse("127.0.0.3"), port);
        var directory = Directory.CreateTempSubdirectory("geodns-health-");
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
            var board = new HealthBoard();
            var processor = new QueryProcessor(Snapshot.Empty);
            var zones = new ZoneStore(directory.FullName, processor, NullLogger<ZoneStore>.Instance)
            {
                Compiler = file => ZoneBuilder.Build(file, pool => new FirstUsableAnswer(pool, board)),
            };
            await using var monitor = new HealthMonitor(
                new CheckerRegistry([new HttpChecker()]), board, new InMemoryHealthStore(), TimeProvider.System, NullLogger<HealthMonitor>.Instance);
            zones.Loaded += monitor.Apply;
            Assert.That(zones.Reload(), Is.Zero);
            await monitor.FirstRoundCompleted.WaitAsync(token);
            using var udp = new UdpListener(new IPEndPoint(IPAddress.Loopback, 0), processor, NullLogger.Instance);
            udp.Start(1);

            Assert.That(await AskAsync(udp.LocalEndPoint, token), Is.EqualTo("127.0.0.2"));

            await primary.DisposeAsync();
            var failover = await TimeUntilAsync(udp.LocalEndPoint, "127.0.0.3", token);

            primary = new TestHttpServer(IPAddress.Parse("127.0.0.2"), port);
            var failback = await TimeUntilAsync(udp.LocalEndPoint, "127.0.0.2", token);

            TestContext.Out.WriteLine($"failover {failover.TotalSeconds:0.000} s, failback {failback.TotalSeconds:0.000} s");
            // interval=200ms fall=2 rise=2 gives about 0.1-0.35 s; the bound leaves room for a loaded CI machine.
            Assert.That(failover, Is.LessThan(TimeSpan.FromSeconds(2)));
            Assert.That(failback, Is.LessThan(TimeSpan.FromSeconds(2)));
            Assert.That(board.Member(new MemberKey("www.gtm.example.", "127.0.0.2"), "primary").LocalReason, Does.StartWith("2 consecutive successes"));
        }
        finally
        {
            await primary.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<TimeSpan> TimeUntilAsync(IPEndPoint server, string expected, CancellationToken token)
    {
        var watch = Stopwatch.StartNew();
        while (await AskAsync(server, token) != expected)
        {
            await Task.Delay(20, token);
        }

        return watch.Elapsed;
    }

    /// <summary>Asks for www.gtm.example. A over UDP; returns the first address answered.</summary>
    private static async Task<string?> AskAsync(IPEndPoint server, CancellationToken token)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server, token);
        ushort id = (ushort)Random.Shared.Next(ushort.MaxValue);
        await socket.SendAsync(DnsProbeMessage.BuildQuery(id, DnsName.Parse("www.gtm.example."), RecordType.A), token);
        var buffer = new byte[1500];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        int n = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.That(DnsProbeMessage.TryReadResponse(buffer.AsSpan(0, n), id, out int rcode, out var answers), Is.True);
        Assert.That(rcode, Is.Zero);
        return answers.FirstOrDefault();
    }

    /// <summary>Test stand-in for the routing engine's failover policy: the first usable member in file order.</summary>
    private sealed class FirstUsableAnswer(PoolDefinition pool, HealthBoard board) : IDynamicAnswer
    {
        private readonly (MemberSlot Slot, byte[] RData)[] _members =
            [.. pool.Members.Select(m => (board.Member(new MemberKey(pool.Owner.ToString(), m.Target), m.Region), m.RData))];

        public ushort Type => pool.Type;

        public int Write(Span<byte> destination, int ownerOffset, ref QueryContext context, out int recordCount)
        {
            var rdata = _members.FirstOrDefault(m => m.Slot.Usable).RData ?? _members[0].RData;
            recordCount = 1;
            if (destination.Length < 12 + rdata.Length)
            {
                return -1;
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(0xC000 | ownerOffset));
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], pool.Type);
            BinaryPrimitives.WriteUInt16BigEndian(destination[4..], RecordClass.IN);
            BinaryPrimitives.WriteUInt32BigEndian(destination[6..], pool.Ttl);
            BinaryPrimitives.WriteUInt16BigEndian(destination[10..], (ushort)rdata.Length);
            rdata.CopyTo(destination[12..]);
            return 12 + rdata.Length;
        }
    }
}
