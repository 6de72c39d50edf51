using GeoDns.Core.Dns;
using GeoDns.Core.Traffic;

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

    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>The SOA record (valid only when the zone has no errors).</summary>
    public ResourceRecord Soa => Records.First(e => e.Record.Type == RecordType.SOA).Record;
}
