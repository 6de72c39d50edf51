using System.Net.Sockets;
using System.Text;

namespace GeoDns.Tests.Health;

/// <summary>
/// A loopback server that answers every connection with exactly the bytes it is given: it reads
/// the request head, writes each of <see cref="Pieces"/> in turn (<see cref="Pause"/> between
/// them, so a response arrives in several reads), then closes its side, or keeps the connection
/// open until disposed when <see cref="HoldOpen"/> is set. For malformed and unusual responses
/// that a real HTTP server would not send. Records each request head it read.
/// </summary>
internal sealed class RawHttpServer : LoopbackHttpServer
{
    public RawHttpServer(params byte[][] pieces)
    {
        Pieces = pieces;
        Accept();
    }

    public RawHttpServer(params string[] pieces)
        : this(pieces.Select(Encoding.UTF8.GetBytes).ToArray())
    {
    }

    public IReadOnlyList<byte[]> Pieces { get; }

    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(20);

    public bool HoldOpen { get; init; }

    protected override async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var (head, complete) = await LoopbackAccept.ReadRequestHeadAsync(stream, Stop.Token);
            if (!complete)
            {
                return;
            }

            Record(head);
            for (int i = 0; i < Pieces.Count; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(Pause, Stop.Token);
                }

                await socket.SendAsync(Pieces[i], Stop.Token);
            }

            if (HoldOpen)
            {
                await Task.Delay(Timeout.Infinite, Stop.Token);
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
