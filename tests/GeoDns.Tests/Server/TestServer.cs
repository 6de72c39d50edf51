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

    public static async Task<TestServer> StartAsync(IDictionary<string, string> zoneFiles, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? extend = null)
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

        var host = GeoDnsHost.Build(all, extend);
        await host.StartAsync();
        var endpoint = host.Services.GetRequiredService<DnsServerService>().UdpEndPoints[0];
        return new TestServer(host, directory, endpoint);
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
