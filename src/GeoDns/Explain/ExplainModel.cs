using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using GeoDns.Core.Zones.RData;

namespace GeoDns.Explain;

/// <summary>What explain answers from: a snapshot, its zones (with their files when known) and the pools' locator and random source.</summary>
public sealed record ExplainSource(Snapshot Snapshot, IReadOnlyList<ExplainZone> Zones, IClientLocator Locator, IRandomSource Random)
{
    /// <summary>True for a running server's snapshot (live health and overrides), false for zone files read offline.</summary>
    public bool Live { get; init; }

    /// <summary>Lines said after the first (offline: the files with errors that are not served).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The live board, to tell drained regions apart; null offline.</summary>
    public HealthBoard? Board { get; init; }

    /// <summary>The votes known for a member (live, shared state); null offline.</summary>
    public Func<MemberSlot, IReadOnlyList<Vote>>? Votes { get; init; }

    /// <summary>
    /// Zone files built offline, as <c>geodns serve</c> builds them: those with errors are left out
    /// of the snapshot (and named in a note); <paramref name="compiler"/> built their pools.
    /// </summary>
    public static ExplainSource Offline(IReadOnlyList<ZoneBuild> builds, TrafficCompiler compiler)
    {
        var served = builds.Where(b => !b.HasErrors).Select(b => new ExplainZone(b.Zone!, b.File)).ToList();
        return new ExplainSource(new Snapshot(served.Select(z => z.Zone)), served, compiler.Locator, compiler.Random)
        {
            Notes = [.. builds.Where(b => b.HasErrors).Select(b => $"note:       {b.File.Path} has errors and is not served (run 'geodns check')")],
        };
    }
}

/// <summary>
/// One served zone and the file it came from. Offline the file is the one just built; live it is
/// read again when explain needs a line (only when its serial is the one served: see <see cref="Missing"/>).
/// </summary>
public sealed class ExplainZone
{
    private readonly Func<(ZoneFile? File, string? Missing)>? _read;
    private ZoneFile? _file;
    private string? _missing;
    private bool _loaded;

    public ExplainZone(Zone zone, ZoneFile file)
    {
        Zone = zone;
        Path = file.Path;
        _file = file;
        _loaded = true;
    }

    /// <param name="zone">The served zone.</param>
    /// <param name="path">Its zone file.</param>
    /// <param name="read">Reads the file when a line is wanted: the file, or why its lines cannot be told.</param>
    public ExplainZone(Zone zone, string path, Func<(ZoneFile? File, string? Missing)> read)
    {
        Zone = zone;
        Path = path;
        _read = read;
    }

    public Zone Zone { get; }

    public DnsName Origin => Zone.Apex;

    public string Path { get; }

    /// <summary>The file the served zone was built from, or null (then <see cref="Missing"/> says why).</summary>
    public ZoneFile? File
    {
        get
        {
            Load();
            return _file;
        }
    }

    public string? Missing
    {
        get
        {
            Load();
            return _missing;
        }
    }

    private void Load()
    {
        if (!_loaded && _read is not null)
        {
            (_file, _missing) = _read();
            _loaded = true;
        }
    }
}

/// <summary>One explained query: the lines <c>geodns explain</c> prints, and the same facts structured (the admin API's JSON).</summary>
public sealed record ExplainResult(
    bool Live,
    ExplainInput Input,
    IReadOnlyList<string> Lines,
    int ExitCode,
    string Rcode,
    string Result,
    string? Zone,
    IReadOnlyList<ExplainRecord> Records,
    ExplainPool? Pool)
{
    /// <summary>True when no served zone holds the name (the server answers REFUSED).</summary>
    public bool InNoZone => Zone is null;
}

/// <summary>A record of the reply: section, master-file fields, and where it comes from.</summary>
public sealed record ExplainRecord(string Section, string Owner, uint Ttl, string Type, string Data, string Source)
{
    public string? Member { get; init; }

    public string? Region { get; init; }

    public static ExplainRecord Of(string section, ResourceRecord record, string source) =>
        new(section, record.Owner.ToString(), record.Ttl, RecordTypes.Mnemonic(record.Type), RDataFormatter.Format(record.Type, record.RData), source);
}

/// <summary>A pool's decision: its settings, where the client was located, the steps, the candidates and the chosen members.</summary>
public sealed record ExplainPool(
    string Name,
    string? Location,
    string Type,
    uint Ttl,
    string Policy,
    string Fallback,
    int MaxAnswers,
    string IfAllDown,
    bool StickySubnet,
    string? PinnedRegion,
    string Locator,
    string? LocatedBy,
    string? Region,
    IReadOnlyList<string> Steps,
    IReadOnlyList<ExplainCandidate> Candidates,
    IReadOnlyList<string> Chosen,
    int EcsScope);

/// <summary>A pool member as the decision saw it.</summary>
public sealed record ExplainCandidate(string Member, string Region, int Weight, int? Priority, bool Enabled, bool Usable, string Health);

/// <summary>The query explain is asked about.</summary>
public sealed record ExplainInput(DnsName Name, ushort Type, ClientAddress Client, int Prefix, bool FromSubnet, string ClientSource)
{
    /// <summary>
    /// Reads the question: <paramref name="typeText"/> a type name (default A), <paramref name="client"/>
    /// the source address (default 127.0.0.1) or <paramref name="subnet"/> an EDNS Client Subnet.
    /// <paramref name="prefix"/> is put before the parameter names in messages ("--" on the command line).
    /// </summary>
    public static bool TryCreate(string name, string? typeText, string? client, string? subnet, string prefix,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ExplainInput? input, out string? problem)
    {
        input = null;
        problem = null;
        if (!DnsName.TryParse(name.EndsWith('.') ? name : name + ".", DnsName.Root, out var qname, out var nameError))
        {
            problem = $"bad name '{name}': {nameError}";
            return false;
        }

        typeText ??= "A";
        if (!RecordTypes.TryParse(typeText, out ushort type))
        {
            problem = $"bad {prefix}type '{typeText}': a record type name (A, AAAA, MX, ...) or TYPEnnn";
            return false;
        }

        if (client is not null && subnet is not null)
        {
            problem = $"give {prefix}client or {prefix}subnet, not both";
            return false;
        }

        if (subnet is not null)
        {
            if (!System.Net.IPNetwork.TryParse(subnet, out var network))
            {
                problem = $"bad {prefix}subnet '{subnet}': address/prefix with no host bits set";
                return false;
            }

            input = new(qname, type, ClientAddress.FromIPAddress(network.BaseAddress), network.PrefixLength, true, "EDNS Client Subnet");
            return true;
        }

        if (!System.Net.IPAddress.TryParse(client ?? "127.0.0.1", out var address))
        {
            problem = $"bad {prefix}client '{client}': an IPv4 or IPv6 address";
            return false;
        }

        var source = ClientAddress.FromIPAddress(address);
        input = new(qname, type, source, source.BitLength, false, client is null ? $"no {prefix}client given: 127.0.0.1" : "source address");
        return true;
    }
}
