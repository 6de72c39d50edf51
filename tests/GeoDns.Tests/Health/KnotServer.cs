using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GeoDns.Core.Dns;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

/// <summary>
/// A real authoritative server for checker tests: Knot DNS (<c>knotd</c>, Debian package
/// <c>knot</c>) on a free port of 127.0.0.2, with its own configuration, run folder, storage and
/// zone files in a temporary folder. Killed by its PID on dispose; the folder is deleted.
/// </summary>
internal sealed class KnotServer : IDisposable
{
    public static readonly IPAddress Address = IPAddress.Parse("127.0.0.2");

    private readonly DirectoryInfo _folder;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private KnotServer(DirectoryInfo folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts knotd serving <paramref name="zones"/> (origin to zone text; a null text declares the
    /// zone with no file, which Knot answers with SERVFAIL) and waits until it answers the first
    /// zone's SOA. A port taken in the meantime by someone else is retried on another one.
    /// With <paramref name="cookieSecret"/> (32 hex digits) Knot's DNS cookie module runs with it.
    /// </summary>
    public static async Task<KnotServer> StartAsync(IReadOnlyDictionary<string, string?> zones, string? cookieSecret = null)
    {
        string knotd = Find("knotd") ?? throw new InvalidOperationException(
            "knotd not found (Debian: apt-get install knot; .ci/run installs it)");
        for (int attempt = 1; ; attempt++)
        {
            var server = new KnotServer(Directory.CreateTempSubdirectory("geodns-knot-"), FreePort());
            try
            {
                server.WriteConfiguration(zones, cookieSecret);
                server.Run(knotd);
                if (await server.WaitAnsweringAsync(zones.Keys.First(), TimeSpan.FromSeconds(10)))
                {
                    return server;
                }
            }
            catch
            {
                server.Dispose();
                throw;
            }

            string log = server.Log;
            server.Dispose();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"knotd did not answer within 10 s (3 attempts); its log:\n{log}");
            }
        }
    }

    public void Dispose()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }

            process.Dispose();
            _process = null;
        }

        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder is not worth failing a test over.
        }
    }

    private void WriteConfiguration(IReadOnlyDictionary<string, string?> zones, string? cookieSecret)
    {
        string Sub(string name) => Directory.CreateDirectory(Path.Combine(_folder.FullName, name)).FullName;
        string run = Sub("run"), storage = Sub("storage"), zoneFolder = Sub("zones");
        var config = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"""
            server:
                rundir: "{run}"
                listen: {Address}@{Port}
                udp-workers: 1
                tcp-workers: 1
                background-workers: 1
            database:
                storage: "{storage}"
            log:
              - target: stdout
                any: info
            {(cookieSecret is null ? "" : $"mod-cookies:\n  - id: shared\n    secret: 0x{cookieSecret}\n")}
            template:
              - id: default
                storage: "{zoneFolder}"
            {(cookieSecret is null ? "" : "    global-module: mod-cookies/shared")}
            zone:

            """));
        foreach (var (origin, text) in zones)
        {
            config.Append(CultureInfo.InvariantCulture, $"  - domain: {origin}\n    file: {origin.TrimEnd('.')}.zone\n");
            if (text is not null)
            {
                File.WriteAllText(Path.Combine(zoneFolder, origin.TrimEnd('.') + ".zone"), text);
            }
        }

        File.WriteAllText(Path.Combine(_folder.FullName, "knot.conf"), config.ToString());
    }

    private void Run(string knotd)
    {
        var info = new ProcessStartInfo(knotd)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(Path.Combine(_folder.FullName, "knot.conf"));
        _process = Process.Start(info) ?? throw new InvalidOperationException("knotd did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    /// <summary>Polls (every 50 ms, each try waiting 500 ms for a reply) until knotd answers the zone's SOA; false if it exits or the time is up.</summary>
    private async Task<bool> WaitAnsweringAsync(string origin, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        var query = DnsProbeMessage.BuildQuery(0x4B4E, DnsName.Parse(origin), RecordType.SOA);
        while (watch.Elapsed < limit && _process is { HasExited: false })
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                await socket.ConnectAsync(Address, Port);
                await socket.SendAsync(query, SocketFlags.None);
                var buffer = new byte[4096];
                using var reply = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, reply.Token);
                if (DnsProbeMessage.TryReadResponse(buffer.AsSpan(0, n), 0x4B4E, out int rcode, out _) && rcode == 0)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>A port free for both UDP and TCP on <see cref="Address"/> just now.</summary>
    private static int FreePort() => LoopbackPorts.FreeDnsPort(Address);

    private static string? Find(string program)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]);
        return folders.Select(f => Path.Combine(f, program)).FirstOrDefault(File.Exists);
    }
}
