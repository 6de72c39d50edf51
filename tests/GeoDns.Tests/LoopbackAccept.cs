using System.Net.Sockets;

namespace GeoDns.Tests;

/// <summary>The accept loop of the tests' loopback TCP servers.</summary>
internal static class LoopbackAccept
{
    /// <summary>
    /// Hands each accepted connection to <paramref name="serve"/> on its own task until
    /// <paramref name="stop"/> fires or the listener is closed; ends quietly either way.
    /// </summary>
    public static async Task EachAsync(System.Net.Sockets.TcpListener listener, Func<Socket, Task> serve, CancellationToken stop)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => serve(socket));
        }
    }
}
