using System.Net;

namespace GeoDns.Tests;

/// <summary>A real TCP backend on 127.0.0.1: accepts and closes; disposing it closes the port (connection refused).</summary>
internal sealed class TcpBackend : IDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private bool _disposed;

    public TcpBackend()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = LoopbackAccept.EachAsync(_listener, socket =>
        {
            socket.Dispose();
            return Task.CompletedTask;
        }, _stop.Token);
    }

    public int Port { get; }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
