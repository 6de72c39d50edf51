using System.Globalization;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core.Dns;
using GeoDns.Health;
using GeoDns.Tests.Deploy;

namespace GeoDns.Tests.Transfers;

/// <summary>
/// A real secondary of GeoDns on a free port of 127.0.0.4: Knot (<c>knotd</c>) or NSD (<c>nsd -d</c>),
/// with its configuration, TSIG key and storage in a temporary folder, transferring from the
/// primary with the key and accepting its signed NOTIFY. Killed by its PID on dispose.
/// </summary>
internal sealed class Secondary : IDisposable
{
    public static readonly IPAddress Address = IPAddress.Parse("127.0.0.4");

    private readonly DirectoryInfo _folder;
    private readonly ChildProcess _process;

    private Secondary(string kind, DirectoryInfo folder, int port, ChildProcess process)
    {
        Kind = kind;
        _folder = folder;
        Port = port;
        _process = process;
    }

    public string Kind { get; }

    public int Port { get; }

    public IPEndPoint EndPoint => new(Address, Port);

    public string Output => _process.Output + (File.Exists(LogFile) ? File.ReadAllText(LogFile) : "");

    private string LogFile => Path.Combine(_folder.FullName, "nsd.log");

    /// <summary>A port free for both UDP and TCP on <see cref="Address"/> just now (for the NOTIFY target before the server starts).</summary>
    public static int FreePort() => LoopbackPorts.FreeDnsPort(Address);

    public static Secondary Knot(int port, string zone, IPEndPoint primary, string secret)
    {
        var folder = Directory.CreateTempSubdirectory("geodns-knot2-");
        string run = Directory.CreateDirectory(Path.Combine(folder.FullName, "run")).FullName;
        string storage = Directory.CreateDirectory(Path.Combine(folder.FullName, "storage")).FullName;
        string config = Path.Combine(folder.FullName, "knot.conf");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            server:
                rundir: "{run}"
                listen: {Address}@{port}
                udp-workers: 1
                tcp-workers: 1
                background-workers: 1
            database:
                storage: "{storage}"
            log:
              - target: stdout
                any: info
            key:
              - id: xfr
                algorithm: hmac-sha256
                secret: {secret}
            remote:
              - id: primary
                address: {primary.Address}@{primary.Port}
                key: xfr
            acl:
              - id: notify_from_primary
                address: {primary.Address}
                key: xfr
                action: notify
            zone:
              - domain: {zone}
                storage: "{storage}"
                master: primary
                acl: notify_from_primary
                zonefile-sync: -1

            """));
        return new Secondary("knot", folder, port, ChildProcess.Start("knotd", ["--config", config], folder.FullName));
    }

    public static Secondary Nsd(int port, string zone, IPEndPoint primary, string secret)
    {
        var folder = Directory.CreateTempSubdirectory("geodns-nsd2-");
        string dir = folder.FullName;
        string config = Path.Combine(dir, "nsd.conf");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            server:
                ip-address: {Address}@{port}
                server-count: 1
                do-ip6: no
                username: ""
                chroot: ""
                zonesdir: "{dir}"
                database: ""
                pidfile: "{dir}/nsd.pid"
                xfrdfile: "{dir}/xfrd.state"
                zonelistfile: "{dir}/zone.list"
                xfrdir: "{dir}"
                logfile: "{dir}/nsd.log"
                verbosity: 2
            remote-control:
                control-enable: no
            key:
                name: xfr
                algorithm: hmac-sha256
                secret: "{secret}"
            zone:
                name: {zone}
                zonefile: "{dir}/{zone}.zone"
                request-xfr: {primary.Address}@{primary.Port} xfr
                allow-notify: {primary.Address} xfr

            """));
        return new Secondary("nsd", folder, port, ChildProcess.Start("nsd", ["-d", "-c", config], dir));
    }

    /// <summary>The first A record the secondary answers for <paramref name="name"/>, or null (no reply within 500 ms, an error, no record).</summary>
    public async Task<string?> AskAsync(string name)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await socket.ConnectAsync(EndPoint);
            ushort id = (ushort)Random.Shared.Next(ushort.MaxValue);
            await socket.SendAsync(DnsProbeMessage.BuildQuery(id, DnsName.Parse(name), RecordType.A), SocketFlags.None);
            var buffer = new byte[1500];
            using var limit = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token);
                if (DnsProbeMessage.TryReadResponse(buffer.AsSpan(0, n), id, out int rcode, out var answers))
                {
                    return rcode == 0 ? answers.FirstOrDefault() : null;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return null;
        }
    }

    /// <summary>Polls (every 20 ms) until the secondary answers <paramref name="name"/> with <paramref name="expected"/>; the time from <paramref name="since"/>, or null after <paramref name="limit"/>.</summary>
    public async Task<TimeSpan?> TimeUntilAnswerAsync(string name, string expected, TimeSpan limit, System.Diagnostics.Stopwatch since)
    {
        while (since.Elapsed < limit)
        {
            if (await AskAsync(name) == expected)
            {
                return since.Elapsed;
            }

            await Task.Delay(20);
        }

        return null;
    }

    public void Dispose()
    {
        _process.Dispose();
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
