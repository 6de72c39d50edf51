using System.Net;
using System.Net.Sockets;

namespace GeoDns.Health;

/// <summary>
/// A probe connection through the runtime's socket engine: where raw descriptors are not used
/// (not Linux x64) and for members named by a host name (resolved per probe).
/// </summary>
internal sealed class SocketProbeConnection : IProbeConnection
{
    private readonly Socket _socket;
    private CancellationToken _cancellationToken;

    private SocketProbeConnection(Socket socket, CancellationToken cancellationToken)
    {
        _socket = socket;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Connects to <paramref name="endPoint"/> and sends <paramref name="request"/>.</summary>
    public static async ValueTask<IProbeConnection> ConnectAsync(IPEndPoint endPoint, byte[] request, CancellationToken cancellationToken)
    {
        var socket = ProbeAddress.NewSocket(endPoint.AddressFamily);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            return new SocketProbeConnection(socket, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask<int> ReceiveAsync(Memory<byte> into) => _socket.ReceiveAsync(into, SocketFlags.None, _cancellationToken);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data) =>
        await _socket.SendAsync(data, SocketFlags.None, _cancellationToken).ConfigureAwait(false);

    public void Rebind(CancellationToken cancellationToken) => _cancellationToken = cancellationToken;

    public void Dispose() => _socket.Dispose();
}
