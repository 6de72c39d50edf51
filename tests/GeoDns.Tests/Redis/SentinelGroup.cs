using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GeoDns.Tests.Deploy;

namespace GeoDns.Tests.Redis;

/// <summary>
/// A real Redis Sentinel setup on free loopback ports in a temporary folder: a primary, one
/// replica (<c>--replicaof</c>) and three <c>redis-sentinel</c> processes monitoring
/// <see cref="Service"/> with quorum 2, 1 s down-after and a short failover timeout. Every
/// process is stopped by PID on dispose.
/// </summary>
internal sealed class SentinelGroup : IDisposable
{
    public const string Service = "mymaster";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _folder;
    private readonly Dictionary<int, ChildProcess> _servers = [];
    private readonly List<ChildProcess> _sentinels = [];

    private SentinelGroup(DirectoryInfo folder) => _folder = folder;

    public int PrimaryPort { get; private set; }

    public int ReplicaPort { get; private set; }

    public List<int> SentinelPorts { get; } = [];

    /// <summary>The <c>--redis</c> value: every sentinel, and the service name.</summary>
    public string Configuration => string.Join(",", SentinelPorts.Select(p => $"127.0.0.1:{p}")) + $",serviceName={Service}";

    /// <summary>Starts the primary, the replica (synced) and three sentinels that see both and each other.</summary>
    public static async Task<SentinelGroup> StartAsync()
    {
        var group = new SentinelGroup(Directory.CreateTempSubdirectory("geodns-sentinel-"));
        try
        {
            group.PrimaryPort = group.StartServer();
            group.ReplicaPort = group.StartServer("--replicaof", "127.0.0.1", group.PrimaryPort.ToString(CultureInfo.InvariantCulture));
            await WaitAsync(async () => (await CliAsync(group.ReplicaPort, "info", "replication")).Contains("master_link_status:up", StringComparison.Ordinal),
                "the replica to sync with the primary");
            for (int i = 0; i < 3; i++)
            {
                group.StartSentinel();
            }

            foreach (int port in group.SentinelPorts)
            {
                await WaitAsync(async () =>
                {
                    var fields = Fields(await CliAsync(port, "sentinel", "master", Service));
                    return fields.GetValueOrDefault("num-slaves") == "1" && fields.GetValueOrDefault("num-other-sentinels") == "2";
                }, $"sentinel {port} to know the replica and the other two sentinels");
            }

            return group;
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL to every sentinel's PID (their configuration files stay).</summary>
    public void KillSentinels()
    {
        foreach (var sentinel in _sentinels)
        {
            sentinel.Dispose();
        }

        _sentinels.Clear();
    }

    /// <summary>Starts the sentinels again on their ports, from the files they rewrote.</summary>
    public void RestartSentinels()
    {
        foreach (int port in SentinelPorts)
        {
            var process = ChildProcess.Start("redis-sentinel", [SentinelFile(port)], _folder.FullName);
            _sentinels.Add(process);
            WaitListening(port, process);
        }
    }

    /// <summary>SIGKILL to the current primary's PID; returns the port it listened on.</summary>
    public int KillPrimary()
    {
        int port = PrimaryPort;
        var process = _servers[port];
        _servers.Remove(port);
        process.Dispose();
        return port;
    }

    /// <summary>The primary's port according to the first sentinel that answers; null when none does.</summary>
    public async Task<int?> ReportedPrimaryAsync()
    {
        foreach (int port in SentinelPorts)
        {
            var lines = (await CliAsync(port, "sentinel", "get-master-addr-by-name", Service)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (lines.Length == 2 && int.TryParse(lines[1], CultureInfo.InvariantCulture, out int primary))
            {
                return primary;
            }
        }

        return null;
    }

    /// <summary>Waits (at most 30 s) until the sentinels name the replica as the primary; how long it took.</summary>
    public async Task<TimeSpan> WaitForPromotionAsync(Stopwatch since)
    {
        await WaitAsync(async () => await ReportedPrimaryAsync() == ReplicaPort
            && (await CliAsync(ReplicaPort, "role")).StartsWith("master", StringComparison.Ordinal), "the sentinels to promote the replica");
        PrimaryPort = ReplicaPort;
        return since.Elapsed;
    }

    /// <summary>Runs <c>redis-cli -p PORT ARGS</c> (raw output), bounded to 10 s.</summary>
    public static async Task<string> CliAsync(int port, params string[] args)
    {
        var (_, output) = await ChildProcess.RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--raw", .. args],
            Path.GetTempPath(), null, TimeSpan.FromSeconds(10));
        return output;
    }

    /// <summary>Alternating name/value lines (as <c>SENTINEL MASTER</c> and <c>HGETALL</c> print them) as a dictionary.</summary>
    public static Dictionary<string, string> Fields(string raw)
    {
        var lines = raw.Split('\n', StringSplitOptions.TrimEntries);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < lines.Length; i += 2)
        {
            fields[lines[i]] = lines[i + 1];
        }

        return fields;
    }

    public static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > Bound)
            {
                Assert.Fail($"timed out after {Bound.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        foreach (var sentinel in _sentinels)
        {
            sentinel.Dispose();
        }

        foreach (var server in _servers.Values)
        {
            server.Dispose();
        }

        _sentinels.Clear();
        _servers.Clear();
        _folder.Delete(recursive: true);
    }

    private int StartServer(params string[] extra)
    {
        int port = FreePort();
        var directory = _folder.CreateSubdirectory("redis-" + port.ToString(CultureInfo.InvariantCulture));
        var process = ChildProcess.Start("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", directory.FullName, .. extra], directory.FullName);
        _servers[port] = process;
        WaitListening(port, process);
        return port;
    }

    private void StartSentinel()
    {
        int port = FreePort();
        var config = SentinelFile(port);

        // Sentinel rewrites its configuration file (what it learnt about replicas and peers): it must be writable.
        File.WriteAllText(config, $"""
            port {port}
            bind 127.0.0.1
            protected-mode no
            dir {_folder.FullName}
            sentinel monitor {Service} 127.0.0.1 {PrimaryPort} 2
            sentinel down-after-milliseconds {Service} 1000
            sentinel failover-timeout {Service} 5000
            sentinel parallel-syncs {Service} 1

            """);
        var process = ChildProcess.Start("redis-sentinel", [config], _folder.FullName);
        _sentinels.Add(process);
        SentinelPorts.Add(port);
        WaitListening(port, process);
    }

    private string SentinelFile(int port) => Path.Combine(_folder.FullName, $"sentinel-{port.ToString(CultureInfo.InvariantCulture)}.conf");

    public static void WaitListening(int port, ChildProcess process)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis on port {port} exited:\n{process.Output}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(20);
            }
        }

        throw new TimeoutException($"redis on port {port} did not listen within 10 s:\n{process.Output}");
    }

    public static int FreePort() => LoopbackPorts.FreeTcpPort();
}
