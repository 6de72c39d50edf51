using System.Net;
using System.Net.Sockets;
using GeoDns.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GeoDns.Tests.Server;

/// <summary>A real <c>geodns serve</c> host in this process, on a free loopback port, over a temporary zones folder.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly IHost _host;

    private TestServer(IHost host, string directory, IPEndPoint endpoint)
    {
        _host = host;
        Directory = directory;
        EndPoint = endpoint;
    }

    public string Directory { get; }

    public IPEndPoint EndPoint { get; }

    public IServiceProvider Services => _host.Services;

    public static async Task<TestServer> StartAsync(IDictionary<string, string> zoneFiles, IDictionary<string, string?>? settings = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "geodns-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        foreach (var (name, text) in zoneFiles)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), text);
        }

        var all = new Dictionary<string, string?>
        {
            ["Zones"] = directory,
            ["Dns:0"] = "127.0.0.1:0",
            ["UdpThreads"] = "2",
            ["WatchZones"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        // With port 0 the server takes a free UDP port and then the same number for TCP, which
        // another process on a shared machine may hold: that start is retried on a new port.
        for (int attempt = 1; ; attempt++)
        {
            var host = GeoDnsHost.Build(all);
            try
            {
                await host.StartAsync();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 5)
            {
                await StopAsync(host);
                continue;
            }
            catch
            {
                await StopAsync(host);
                throw;
            }

            var endpoint = host.Services.GetRequiredService<DnsServerService>().UdpEndPoints[0];
            return new TestServer(host, directory, endpoint);
        }
    }

    private static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // A host that failed to start stops as far as it can.
        }

        host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp folder is not worth failing a test over.
        }
    }
}
