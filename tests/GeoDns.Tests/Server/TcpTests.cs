using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace GeoDns.Tests.Server;

/// <summary>DNS over TCP (RFC 7766) on a real socket.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class TcpTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync(
            new Dictionary<string, string> { ["example.test.zone"] = TestZones.Conformance() },
            new Dictionary<string, string?> { ["TcpIdleTimeoutSeconds"] = "1" });
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [Test]
    public async Task PipelinedQueriesOnOneConnectionAreAllAnswered()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_server.EndPoint.Address, _server.EndPoint.Port);
        var stream = client.GetStream();
        var names = new[] { "www.example.test.", "mail.example.test.", "nothing.example.test." };
        var all = new List<byte>();
        for (int i = 0; i < names.Length; i++)
        {
            var packet = new QueryBuilder { Name = names[i], Id = (ushort)(100 + i) }.Build();
            all.Add((byte)(packet.Length >> 8));
            all.Add((byte)packet.Length);
            all.AddRange(packet);
        }

        await stream.WriteAsync(all.ToArray()); // one write: three queries back to back
        var replies = new List<DnsMessage>();
        for (int i = 0; i < names.Length; i++)
        {
            replies.Add(DnsMessage.Parse(await DnsTestClient.ReadFramedAsync(stream)));
        }

        Assert.That(replies.Select(r => r.TransactionID), Is.EqualTo(new[] { 100, 101, 102 }));
        Assert.That(replies[2].ReturnCode, Is.EqualTo(ReturnCode.NxDomain));
    }

    [Test]
    public async Task MessageSplitAcrossWritesIsReassembled()
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(_server.EndPoint.Address, _server.EndPoint.Port);
        var stream = client.GetStream();
        var packet = new QueryBuilder { Name = "www.example.test." }.Build();
        var framed = new byte[] { (byte)(packet.Length >> 8), (byte)packet.Length }.Concat(packet).ToArray();
        foreach (var b in framed)
        {
            await stream.WriteAsync(new[] { b });
            await stream.FlushAsync();
            await Task.Delay(5);
        }

        var reply = DnsMessage.Parse(await DnsTestClient.ReadFramedAsync(stream));
        Assert.That(reply.AnswerRecords, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task IdleConnectionIsClosed()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_server.EndPoint.Address, _server.EndPoint.Port);
        var stream = client.GetStream();
        var buffer = new byte[1];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        int read = await stream.ReadAsync(buffer, deadline.Token);
        Assert.That(read, Is.EqualTo(0), "the server closed the idle connection within its 1 s timeout");
    }

    [Test]
    public async Task ManyConnectionsInParallel()
    {
        var tasks = Enumerable.Range(0, 50).Select(i =>
            DnsTestClient.TcpAsync(_server.EndPoint, new QueryBuilder { Name = "many.example.test.", Id = (ushort)i }));
        var replies = await Task.WhenAll(tasks);
        Assert.That(replies.All(r => r.AnswerRecords.Count == 40), Is.True);
    }
}
