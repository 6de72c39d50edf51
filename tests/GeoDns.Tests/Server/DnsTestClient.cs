using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace GeoDns.Tests.Server;

/// <summary>Sends raw packets over real sockets with a deadline, and parses replies with ARSoft.Tools.Net.</summary>
internal static class DnsTestClient
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    public static async Task<byte[]?> UdpRawAsync(IPEndPoint server, byte[] packet, TimeSpan? timeout = null)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server);
        await socket.SendAsync(packet, SocketFlags.None);
        var buffer = new byte[65535];
        using var cts = new CancellationTokenSource(timeout ?? Deadline);
        try
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return buffer[..n];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public static async Task<DnsMessage> UdpAsync(IPEndPoint server, QueryBuilder query)
    {
        var reply = await UdpRawAsync(server, query.Build()) ?? throw new TimeoutException("no UDP reply");
        return DnsMessage.Parse(reply);
    }

    public static async Task<DnsMessage> TcpAsync(IPEndPoint server, QueryBuilder query) =>
        DnsMessage.Parse(await TcpRawAsync(server, query.Build()));

    public static async Task<byte[]> TcpRawAsync(IPEndPoint server, byte[] packet)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Address, server.Port);
        var stream = client.GetStream();
        await WriteFramedAsync(stream, packet);
        return await ReadFramedAsync(stream);
    }

    public static async Task WriteFramedAsync(Stream stream, byte[] packet)
    {
        var framed = new byte[packet.Length + 2];
        framed[0] = (byte)(packet.Length >> 8);
        framed[1] = (byte)packet.Length;
        packet.CopyTo(framed, 2);
        await stream.WriteAsync(framed);
    }

    public static async Task<byte[]> ReadFramedAsync(Stream stream)
    {
        using var cts = new CancellationTokenSource(Deadline);
        var header = new byte[2];
        await stream.ReadExactlyAsync(header, cts.Token);
        var body = new byte[(header[0] << 8) | header[1]];
        await stream.ReadExactlyAsync(body, cts.Token);
        return body;
    }
}
