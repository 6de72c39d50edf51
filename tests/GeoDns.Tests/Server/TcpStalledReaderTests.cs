using System.Diagnostics;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace GeoDns.Tests.Server;

/// <summary>
/// A TCP client that pipelines queries and never reads the replies cannot hold its connection
/// (and its connection slot): a reply that cannot be written within the timeout closes it.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class TcpStalledReaderTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Test]
    public async Task ClientThatNeverReadsIsClosedAndItsSlotFreed()
    {
        // One connection slot: while the stalled client holds it, no other TCP client is served.
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["example.test.zone"] = TestZones.Conformance() },
            new Dictionary<string, string?> { ["TcpIdleTimeoutSeconds"] = "1", ["TcpMaxConnections"] = "1" });

        using var stalled = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await stalled.ConnectAsync(server.EndPoint);
        var watch = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(Bound);

        // 200 pipelined queries per write for a ~1.5 KB answer each, until the server closes.
        var packet = new QueryBuilder { Name = "huge.example.test.", Type = (ushort)RecordType.Txt }.Build();
        var burst = Enumerable.Range(0, 200)
            .SelectMany(_ => new[] { (byte)(packet.Length >> 8), (byte)packet.Length }.Concat(packet)).ToArray();
        long sent = 0;
        Exception? closed = null;
        try
        {
            while (true)
            {
                sent += await stalled.SendAsync(burst, SocketFlags.None, deadline.Token);
            }
        }
        catch (SocketException e)
        {
            closed = e; // reset or broken pipe: the server closed the connection
        }
        catch (OperationCanceledException)
        {
            // The bound passed with the connection still open: asserted below.
        }

        TestContext.Out.WriteLine($"sent {sent} bytes of queries; closed after {watch.Elapsed.TotalSeconds:F1} s: {closed?.Message}");
        Assert.That(closed, Is.Not.Null, $"the server kept a client that never reads for {Bound.TotalSeconds} s");
        Assert.That(sent, Is.GreaterThan(100_000), "the replies did fill the client's window");

        // The slot is free again: a well-behaved TCP client is answered.
        var reply = await DnsTestClient.TcpAsync(server.EndPoint, new QueryBuilder { Name = "www.example.test." });
        Assert.That(reply.ReturnCode, Is.EqualTo(ReturnCode.NoError));
        Assert.That(reply.AnswerRecords, Has.Count.EqualTo(2));
    }
}
