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

    /// <summary>
    /// Reads an HTTP request head (up to the blank line) from <paramref name="stream"/>; Complete
    /// is false when the client closed before the blank line (Head is then what came).
    /// </summary>
    public static async Task<(string Head, bool Complete)> ReadRequestHeadAsync(Stream stream, CancellationToken token)
    {
        var head = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer, token);
            if (read == 0)
            {
                return (head.ToString(), false);
            }

            head.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
        }

        return (head.ToString(), true);
    }
}
