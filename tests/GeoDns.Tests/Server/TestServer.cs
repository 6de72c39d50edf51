using System.Net;
using System.Net.Sockets;
using GeoDns.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GeoDns.Tests.Server;

/// <summary>
/// A real <c>geodns serve</c> host in this process, on a free loopback port, over a temporary zones folder.
/// The port is drawn below the ephemeral range, never port 0: GeoDns binds its UDP sockets with
/// <c>SO_REUSEPORT</c>, and a client of the same user that also sets it (dig does) may be handed
/// that very port as its source port by the kernel; its query to the server then comes back to
/// itself ("query response not set").
/// </summary>
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
            ["UdpThreads"] = "2",
            ["WatchZones"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var host = await StartOnAFreePortAsync(all, extend);
        var endpoint = host.Services.GetRequiredService<DnsServerService>().UdpEndPoints[0];
        return new TestServer(host, directory, endpoint);
    }

    /// <summary>Starts the host on the addresses the settings give, or on a drawn port, drawing again if another test took it first.</summary>
    private static async Task<IHost> StartOnAFreePortAsync(Dictionary<string, string?> settings, Action<IServiceCollection>? extend)
    {
        bool drawn = !settings.ContainsKey("Dns:0");
        for (int attempt = 1; ; attempt++)
        {
            if (drawn)
            {
                settings["Dns:0"] = $"127.0.0.1:{LoopbackPorts.FreeDnsPort()}";
            }

            var host = GeoDnsHost.Build(settings, extend);
            try
            {
                await host.StartAsync();
                return host;
            }
            catch (InvalidOperationException e) when (drawn && attempt < 5 && e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                host.Dispose();
            }
            catch
            {
                host.Dispose();
                throw;
            }
        }
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
