using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones;

/// <summary>A record and the place it was written (a struct: a big zone has millions).</summary>
public readonly record struct ZoneEntry(ResourceRecord Record, SourceLocation Location);

/// <summary>
/// Everything one zone file (with its includes) declares, plus every diagnostic found while
/// parsing and validating it. A zone with any error diagnostic must not be served.
/// </summary>
public sealed class ZoneFile
{
    public required DnsName Origin { get; init; }

    public required string Path { get; init; }

    public required IReadOnlyList<ZoneEntry> Records { get; init; }

    public IReadOnlyList<RegionDefinition> Regions { get; init; } = [];

    public IReadOnlyList<CheckDefinition> Checks { get; init; } = [];

    public IReadOnlyList<PoolDefinition> Pools { get; init; } = [];

    public required IReadOnlyList<ZoneDiagnostic> Diagnostics { get; init; }

    private NameIndex? _owners;
    private int[]? _ownerOf;

    /// <summary>The validator's numbering of owner names and each record's owner number.</summary>
    internal void SetOwnerIndex(NameIndex owners, int[] ownerOf)
    {
        _owners = owners;
        _ownerOf = ownerOf;
    }

    /// <summary>
    /// Hands the owner numbering over to the compiler, which keeps it as the served zone's
    /// lookup table and adds names to it: only the first taker gets it.
    /// </summary>
    internal (NameIndex? Owners, int[]? OwnerOf) TakeOwnerIndex()
    {
        var taken = (_owners, _ownerOf);
        _owners = null;
        _ownerOf = null;
        return taken;
    }

    /// <summary>
    /// The same file with more diagnostics (a later stage's findings). It carries no owner
    /// numbering: a file with errors is never compiled.
    /// </summary>
    public ZoneFile WithDiagnostics(params IEnumerable<ZoneDiagnostic> more) => new()
    {
        Origin = Origin,
        Path = Path,
        Records = Records,
        Regions = Regions,
        Checks = Checks,
        Pools = Pools,
        Diagnostics = [.. Diagnostics, .. more],
    };

    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>The SOA record (valid only when the zone has no errors).</summary>
    public ResourceRecord Soa => Records.First(e => e.Record.Type == RecordType.SOA).Record;
}
