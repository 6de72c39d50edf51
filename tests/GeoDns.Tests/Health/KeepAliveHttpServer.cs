using System.Net.Sockets;
using System.Text;

namespace GeoDns.Tests.Health;

/// <summary>
/// A loopback HTTP/1.1 server that answers request after request on each connection with
/// <see cref="Response"/>, counting the connections it accepted and recording every request head.
/// <see cref="CloseAfterEach"/> makes it close each connection right after its first answer
/// without saying so (as a server whose idle timeout runs out between two probes), with a reset
/// when <see cref="Reset"/> is set. <see cref="AnswerOnce"/> answers the first request of a
/// connection and reads nothing after it, so a client that wrongly reuses it waits forever.
/// </summary>
internal sealed class KeepAliveHttpServer : LoopbackHttpServer
{
    private int _connections;
    private int _closedByClient;

    public KeepAliveHttpServer(string response)
    {
        Response = Encoding.ASCII.GetBytes(response);
        Accept();
    }

    public byte[] Response { get; }

    public bool CloseAfterEach { get; init; }

    public bool Reset { get; init; }

    public bool AnswerOnce { get; init; }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections whose client closed them (the server read the end of the stream, or a reset).</summary>
    public int ClosedByClient => Volatile.Read(ref _closedByClient);

    protected override async Task ServeAsync(Socket socket)
    {
        Interlocked.Increment(ref _connections);
        using var _ = socket;
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            while (true)
            {
                var (head, complete) = await LoopbackAccept.ReadRequestHeadAsync(stream, Stop.Token);
                if (!complete)
                {
                    Interlocked.Increment(ref _closedByClient);
                    return;
                }

                Record(head);
                await socket.SendAsync(Response, Stop.Token);
                if (AnswerOnce)
                {
                    await Task.Delay(Timeout.Infinite, Stop.Token);
                }

                if (CloseAfterEach)
                {
                    if (Reset)
                    {
                        socket.LingerState = new LingerOption(true, 0);
                    }

                    socket.Close();
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The probes close with a reset.
            Interlocked.Increment(ref _closedByClient);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
