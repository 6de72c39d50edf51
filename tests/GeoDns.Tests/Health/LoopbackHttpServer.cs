using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace GeoDns.Tests.Health;

/// <summary>
/// What the hand-made HTTP test servers share: a listener on a loopback address (127.0.0.1 and
/// a free port unless given; the address reusable, so a test can listen again on a port it
/// just closed), the accept loop handing each connection to <see cref="ServeAsync"/>, the
/// request heads read, and the stop.
/// </summary>
internal abstract class LoopbackHttpServer : IAsyncDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener;
    private readonly ConcurrentQueue<string> _requests = new();
    private Task _accepting = Task.CompletedTask;

    protected LoopbackHttpServer(IPAddress? address = null, int port = 0)
    {
        _listener = new System.Net.Sockets.TcpListener(address ?? IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Cancelled when the server is disposed.</summary>
    protected CancellationTokenSource Stop { get; } = new();

    public async ValueTask DisposeAsync() => await LoopbackAccept.StopAsync(_listener, Stop, _accepting);

    /// <summary>Starts accepting; a subclass calls it once its own settings are in place.</summary>
    protected void Accept() => _accepting = LoopbackAccept.EachAsync(_listener, ServeAsync, Stop.Token);

    protected void Record(string head) => _requests.Enqueue(head);

    protected abstract Task ServeAsync(Socket socket);
}
