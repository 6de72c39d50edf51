using System.Net;
using GeoDns.Core.RateLimiting;
using GeoDns.Transfers;

namespace GeoDns.Hosting;

/// <summary>Settings of <c>geodns serve</c>, bound from appsettings.json, GEODNS_ variables and the command line.</summary>
public sealed class GeoDnsOptions
{
    public string Zones { get; set; } = "zones";

    /// <summary>Addresses to answer DNS on, ADDR:PORT or [V6]:PORT.</summary>
    public List<string> Dns { get; set; } = [];

    /// <summary>UDP receive threads per address; 0 means one per core.</summary>
    public int UdpThreads { get; set; }

    /// <summary>The UDP receive threads per address to run: <see cref="UdpThreads"/>, or one per core when it is 0.</summary>
    public int UdpThreadCount() => UdpThreads > 0 ? UdpThreads : Environment.ProcessorCount;

    /// <summary>How long a TCP connection may wait for its next query, and a reply to be written.</summary>
    public int TcpIdleTimeoutSeconds { get; set; } = 10;

    public int TcpMaxConnections { get; set; } = 1024;

    /// <summary>Open TCP connections one client address may hold at once.</summary>
    public int TcpMaxConnectionsPerClient { get; set; } = 64;

    /// <summary>Response rate limiting of UDP replies (section <c>Rrl</c>); off by default.</summary>
    public RrlSettings Rrl { get; set; } = new();

    /// <summary>DNS cookies (RFC 7873, RFC 9018; section <c>Cookies</c>); on by default.</summary>
    public CookieSettings Cookies { get; set; } = new();

    /// <summary>Section <c>Tsig</c>: the TSIG key file (docs/transfers.md).</summary>
    public TsigOptions Tsig { get; set; } = new();

    /// <summary>Section <c>Transfer</c>: by zone name, who may transfer it and whom to NOTIFY (docs/transfers.md).</summary>
    public Dictionary<string, TransferRule> Transfer { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Watch the zones folder and reload changed zones.</summary>
    public bool WatchZones { get; set; } = true;

    public string? GeoIp { get; set; }

    public string? GeoIpAsn { get; set; }

    public string? Redis { get; set; }

    /// <summary>A CA certificate file (PEM or DER) that Redis's TLS certificate must chain to; turns TLS on. Unset: the system store.</summary>
    public string? RedisCaFile { get; set; }

    public string? Instance { get; set; }

    public string? Admin { get; set; }

    public string? AdminTokenFile { get; set; }

    /// <summary>
    /// What this server answers to the NSID option (RFC 5001): the instance name when unset,
    /// <c>off</c> for nothing, else this text.
    /// </summary>
    public string? Nsid { get; set; }

    /// <summary>Folder of BIND-format DNSSEC key pairs; a zone with an active key there is served signed (default none).</summary>
    public string? Keys { get; set; }

    /// <summary>OTLP endpoint metrics are pushed to (besides <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).</summary>
    public string? Otlp { get; set; }

    /// <summary><c>off</c>: no metrics are collected, even with the admin API or OTLP configured.</summary>
    public string? Metrics { get; set; }

    /// <summary>This instance's name: <see cref="Instance"/>, else the host name.</summary>
    public string InstanceName => string.IsNullOrWhiteSpace(Instance) ? Environment.MachineName : Instance.Trim();

    /// <summary>The NSID payload (empty: none). Throws when it is longer than an NSID may be here.</summary>
    public byte[] NsidBytes()
    {
        string text = string.IsNullOrWhiteSpace(Nsid) ? InstanceName : Nsid.Trim();
        if (string.Equals(text, "off", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        if (bytes.Length > Core.Wire.DnsWire.MaxNsidLength)
        {
            throw new InvalidOperationException($"--nsid is {bytes.Length} octets long; at most {Core.Wire.DnsWire.MaxNsidLength} are allowed");
        }

        return bytes;
    }

    /// <summary>False when <see cref="Metrics"/> says <c>off</c>.</summary>
    public bool MetricsEnabled => !string.Equals(Metrics?.Trim(), "off", StringComparison.OrdinalIgnoreCase);

    public static readonly string DefaultDns = "127.0.0.1:5300";

    /// <summary>The <see cref="Dns"/> addresses parsed (the default when none is given); a malformed one is a <see cref="FormatException"/>.</summary>
    public IReadOnlyList<IPEndPoint> DnsEndPoints() => [.. (Dns.Count == 0 ? [DefaultDns] : Dns).Select(EndPoints.Parse)];

    /// <summary>Throws, naming the setting and its value, for a value the server cannot run with.</summary>
    public void Validate()
    {
        _ = DnsEndPoints();
        if (UdpThreads < 0)
        {
            throw new FormatException($"--udp-threads {UdpThreads}: give a number of threads, or 0 for one per core");
        }

        if (TcpIdleTimeoutSeconds <= 0)
        {
            throw new FormatException($"TcpIdleTimeoutSeconds {TcpIdleTimeoutSeconds}: give a number of seconds above 0");
        }

        if (TcpMaxConnections <= 0)
        {
            throw new FormatException($"TcpMaxConnections {TcpMaxConnections}: give a number above 0");
        }

        if (TcpMaxConnectionsPerClient <= 0)
        {
            throw new FormatException($"TcpMaxConnectionsPerClient {TcpMaxConnectionsPerClient}: give a number above 0");
        }

        Rrl.Validate();
    }
}
