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

    /// <summary>Stops an accept loop started with <see cref="EachAsync"/>: cancels, closes the listener, waits up to 5 s.</summary>
    public static async Task StopAsync(System.Net.Sockets.TcpListener listener, CancellationTokenSource stop, Task accepting)
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await accepting.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stop.Dispose();
    }
}
