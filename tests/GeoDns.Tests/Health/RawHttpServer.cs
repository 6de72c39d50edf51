using System.Collections.Concurrent;
using System.Net;
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
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentQueue<string> _requests = new();

    public RawHttpServer(params byte[][] pieces)
    {
        Pieces = pieces;
        _listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = LoopbackAccept.EachAsync(_listener, ServeAsync, _stop.Token);
    }

    public RawHttpServer(params string[] pieces)
        : this(pieces.Select(Encoding.UTF8.GetBytes).ToArray())
    {
    }

    public int Port { get; }

    public IReadOnlyList<byte[]> Pieces { get; }

    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(20);

    public bool HoldOpen { get; init; }

    public IReadOnlyList<string> Requests => [.. _requests];

    public async ValueTask DisposeAsync() => await LoopbackAccept.StopAsync(_listener, _stop, _accepting);

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var (head, complete) = await LoopbackAccept.ReadRequestHeadAsync(stream, _stop.Token);
            if (!complete)
            {
                return;
            }

            _requests.Enqueue(head);
            for (int i = 0; i < Pieces.Count; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(Pause, _stop.Token);
                }

                await socket.SendAsync(Pieces[i], _stop.Token);
            }

            if (HoldOpen)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
