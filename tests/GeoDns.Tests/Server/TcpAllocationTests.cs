using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Hosting;
using GeoDns.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoDns.Tests.Server;

/// <summary>
/// The TCP path allocates nothing per query in steady state: over a real loopback connection,
/// one query at a time and pipelined. Allocations are counted for the whole process (the
/// connection runs on pool threads), in segments of queries: the runtime and the test host
/// allocate now and then (a pool thread answering its first TCP query makes its metrics
/// tally), so the median segment is asserted to stay under a fixed amount smaller than one
/// object per query.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TcpAllocationTests
{
    private const int Warmup = 5_000;
    private const int Segments = 9;
    private const int PerSegment = 4_000;
    private const int Pipelined = 40;

    // Less than one byte per query of a segment: one 24-byte object every 20 queries would
    // exceed it 5 times over.
    private const long Tolerance = 4_000;

    private QueryProcessor _processor = null!;

    [OneTimeSetUp]
    public void LoadZone() => _processor = SimpleZone.Processor();

    [TestCase(1, TestName = "TCP: one query at a time allocates nothing per query")]
    [TestCase(Pipelined, TestName = "TCP: pipelined queries allocate nothing per query")]
    public void SteadyStateAllocatesNothingPerQuery(int inFlight)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var metrics = new DnsMetrics(services.GetRequiredService<IMeterFactory>());
        using var listener = new DnsTcpListener(new IPEndPoint(IPAddress.Loopback, 0), _processor, NullLogger.Instance,
            TimeSpan.FromSeconds(30), maxConnections: 4, metrics: metrics);
        listener.Start();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = 10_000,
            SendTimeout = 10_000,
        };
        client.Connect(listener.LocalEndPoint);

        var query = new QueryBuilder { Name = "www.simple.test." }.Build();
        var burst = Enumerable.Range(0, inFlight).SelectMany(_ => new[] { (byte)(query.Length >> 8), (byte)query.Length }.Concat(query)).ToArray();
        var replies = new byte[256 * 1024];

        Run(client, burst, inFlight, replies, Warmup);
        var allocated = new long[Segments];
        int answered = 0;
        for (int i = 0; i < Segments; i++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            answered += Run(client, burst, inFlight, replies, PerSegment);
            allocated[i] = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        long median = allocated.Order().ElementAt(Segments / 2);
        TestContext.Out.WriteLine($"{inFlight} in flight, bytes allocated by the process per {PerSegment} queries: {string.Join(' ', allocated)}; median {median}");
        Assert.That(answered, Is.EqualTo(Segments * (PerSegment / inFlight * inFlight)), "every query answered with www.simple.test's one A record");
        Assert.That(median, Is.LessThan(Tolerance), $"median segment: {(double)median / PerSegment:F2} bytes per query");
    }

    /// <summary>Sends <paramref name="count"/> queries in bursts and reads every reply; returns the replies with an answer.</summary>
    private static int Run(Socket client, byte[] burst, int perBurst, byte[] buffer, int count)
    {
        int answered = 0;
        for (int sent = 0; sent + perBurst <= count; sent += perBurst)
        {
            client.Send(burst);
            int have = 0;
            int offset = 0;
            for (int reply = 0; reply < perBurst; reply++)
            {
                while (have - offset < 2 || have - offset < 2 + ((buffer[offset] << 8) | buffer[offset + 1]))
                {
                    int n = client.Receive(buffer.AsSpan(have));
                    if (n <= 0)
                    {
                        Assert.Fail("the server closed the connection");
                    }

                    have += n;
                }

                int length = (buffer[offset] << 8) | buffer[offset + 1];
                int answers = (buffer[offset + 2 + 6] << 8) | buffer[offset + 2 + 7];
                answered += answers == 1 ? 1 : 0;
                offset += 2 + length;
            }
        }

        return answered;
    }
}
