using System.Collections.Concurrent;
using System.Net;
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
internal sealed class KeepAliveHttpServer : IAsyncDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentQueue<string> _requests = new();
    private int _connections;
    private int _closedByClient;

    public KeepAliveHttpServer(string response)
    {
        Response = Encoding.ASCII.GetBytes(response);
        _listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = LoopbackAccept.EachAsync(_listener, ServeAsync, _stop.Token);
    }

    public int Port { get; }

    public byte[] Response { get; }

    public bool CloseAfterEach { get; init; }

    public bool Reset { get; init; }

    public bool AnswerOnce { get; init; }

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections whose client closed them (the server read the end of the stream, or a reset).</summary>
    public int ClosedByClient => Volatile.Read(ref _closedByClient);

    public IReadOnlyList<string> Requests => [.. _requests];

    public async ValueTask DisposeAsync() => await LoopbackAccept.StopAsync(_listener, _stop, _accepting);

    private async Task ServeAsync(Socket socket)
    {
        Interlocked.Increment(ref _connections);
        using var _ = socket;
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            while (true)
            {
                var (head, complete) = await LoopbackAccept.ReadRequestHeadAsync(stream, _stop.Token);
                if (!complete)
                {
                    Interlocked.Increment(ref _closedByClient);
                    return;
                }

                _requests.Enqueue(head);
                await socket.SendAsync(Response, _stop.Token);
                if (AnswerOnce)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
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
