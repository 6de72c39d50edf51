using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GeoDns.Tests.Redis;

/// <summary>A throw-away redis-server on a free loopback port, without persistence; killed on dispose.</summary>
public sealed class RedisServer : IDisposable
{
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public bool Running => _process is { HasExited: false };

    public static RedisServer Start()
    {
        var server = new RedisServer(FreePort());
        server.Restart();
        return server;
    }

    /// <summary>Starts the server (again, empty) on the same port and waits until it answers.</summary>
    public void Restart()
    {
        if (Running)
        {
            throw new InvalidOperationException("redis-server already running");
        }

        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--protected-mode", "no" })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}");
            }

            if (Ping())
            {
                return;
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException("redis-server did not answer PING within 10 s");
    }

    /// <summary>SIGKILL: no shutdown, no save.</summary>
    public void Kill()
    {
        if (_process is { } process)
        {
            _process = null;
            try
            {
                process.Kill();
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }
    }

    public void Dispose() => Kill();

    private bool Ping()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            int n = stream.Read(buffer);
            return n > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort() => LoopbackPorts.FreeTcpPort();
}
