using System.Net;
using GeoDns.Core.Dns;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Zones;

/// <summary>A <c>$REGION</c> line: where members run and which clients they serve.</summary>
public sealed record RegionDefinition(
    string Name,
    IReadOnlyList<string> Continents,
    IReadOnlyList<string> Countries,
    IReadOnlyList<IPNetwork> Cidrs,
    IReadOnlyList<uint> Asns,
    double? Latitude,
    double? Longitude,
    SourceLocation Location);

/// <summary>A <c>$CHECK</c> line: a named liveness test. Settings keep the written key=value pairs.</summary>
public sealed record CheckDefinition(
    string Name,
    string Kind,
    IReadOnlyDictionary<string, string> Settings,
    SourceLocation Location);

/// <summary>A <c>POOL</c> line and the <c>MEMBER</c> lines under the same owner.</summary>
public sealed record PoolDefinition(
    DnsName Owner,
    ushort Type,
    uint Ttl,
    string Policy,
    string? Fallback,
    string? Check,
    int MaxAnswers,
    string IfAllDown,
    bool StickySubnet,
    IReadOnlyList<MemberDefinition> Members,
    IReadOnlyDictionary<string, string> Settings,
    SourceLocation Location)
{
    /// <summary>Members one pool may have (a member's index fits a byte on the query path).</summary>
    public const int MaxMembers = 256;
}

/// <summary>
/// A <c>MEMBER</c> line. <see cref="RData"/> is the wire RDATA the member answers with
/// (an address for A/AAAA pools, a name for CNAME pools).
/// </summary>
public sealed record MemberDefinition(
    string Region,
    string Target,
    byte[] RData,
    int Weight,
    int? Priority,
    string? Check,
    bool Enabled,
    IReadOnlyDictionary<string, string> Settings,
    SourceLocation Location);

/// <summary>Continent codes <c>$REGION continents=</c> accepts.</summary>
public static class KnownNames
{
    public static readonly IReadOnlySet<string> Continents =
        new HashSet<string>(StringComparer.Ordinal) { "AF", "AN", "AS", "EU", "NA", "OC", "SA" };
}
