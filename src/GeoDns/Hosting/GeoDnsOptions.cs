namespace GeoDns.Hosting;

/// <summary>Settings of <c>geodns serve</c>, bound from appsettings.json, GEODNS_ variables and the command line.</summary>
public sealed class GeoDnsOptions
{
    public string Zones { get; set; } = "zones";

    /// <summary>Addresses to answer DNS on, ADDR:PORT or [V6]:PORT.</summary>
    public List<string> Dns { get; set; } = [];

    /// <summary>UDP receive threads per address; 0 means one per core.</summary>
    public int UdpThreads { get; set; }

    /// <summary>How long a TCP connection may wait for its next query, and a reply to be written.</summary>
    public int TcpIdleTimeoutSeconds { get; set; } = 10;

    public int TcpMaxConnections { get; set; } = 1024;

    /// <summary>Watch the zones folder and reload changed zones.</summary>
    public bool WatchZones { get; set; } = true;

    public string? GeoIp { get; set; }

    public string? GeoIpAsn { get; set; }

    public string? Redis { get; set; }

    public string? Instance { get; set; }

    public string? Admin { get; set; }

    public string? AdminTokenFile { get; set; }

    public static readonly string DefaultDns = "127.0.0.1:5300";
}
