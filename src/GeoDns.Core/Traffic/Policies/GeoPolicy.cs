using GeoDns.Core.Traffic;

namespace GeoDns.Core.Traffic.Policies;

/// <summary>
/// <c>geo</c>: the client's region by the most specific rule that matches a region with a
/// usable member — CIDR (longest prefix), ASN, subdivision, country, continent — then by
/// weight inside it. No match: the pool's fallback policy.
/// </summary>
public sealed class GeoPolicy : IRoutingPolicy
{
    public static readonly GeoPolicy Instance = new();

    public string Name => "geo";

    public bool UsesLocation => true;

    public bool UsesWeights => true;

    public bool CanBeFallback => false;

    public int Select(ref SelectionContext context, Span<int> chosen)
    {
        var matcher = context.Pool.Matcher;
        var regions = context.Pool.Regions;
        Span<int> inRegion = stackalloc int[context.Candidates.Length];

        foreach (ref readonly var rule in matcher.Cidrs.AsSpan())
        {
            if (rule.Contains(context.Client, context.ClientPrefix) && context.CandidatesIn(regions[rule.Region], inRegion) > 0)
            {
                context.DependsOn(rule.Prefix);
                context.Trace?.Add($"geo: region {regions[rule.Region].Name} matched by CIDR {rule.Text}");
                return Decide(ref context, regions[rule.Region], inRegion, chosen);
            }
        }

        // Whatever is decided below must not spill over a CIDR rule next to the client.
        context.DependsOn(matcher.CidrExclusionScope(context.Client));
        if (matcher.NeedsLocation)
        {
            var location = context.Location();
            context.DependsOn(location.NetworkPrefix);
            if (location.Found)
            {
                if (location.Asn != 0 && matcher.Asns.TryGetValue(location.Asn, out var byAsn) &&
                    First(ref context, byAsn, inRegion) is { } asnRegion)
                {
                    context.Trace?.Add($"geo: region {asnRegion.Name} matched by AS{location.Asn}");
                    return Decide(ref context, asnRegion, inRegion, chosen);
                }

                if (First(ref context, RegionMatcher.Lookup(matcher.Subdivisions, location.Subdivision), inRegion) is { } bySubdivision)
                {
                    context.Trace?.Add($"geo: region {bySubdivision.Name} matched by subdivision {location.Subdivision}");
                    return Decide(ref context, bySubdivision, inRegion, chosen);
                }

                if (First(ref context, RegionMatcher.Lookup(matcher.Countries, location.Country), inRegion) is { } byCountry)
                {
                    context.Trace?.Add($"geo: region {byCountry.Name} matched by country {location.Country}");
                    return Decide(ref context, byCountry, inRegion, chosen);
                }

                if (First(ref context, RegionMatcher.Lookup(matcher.Continents, location.Continent), inRegion) is { } byContinent)
                {
                    context.Trace?.Add($"geo: region {byContinent.Name} matched by continent {location.Continent}");
                    return Decide(ref context, byContinent, inRegion, chosen);
                }
            }
        }

        var fallback = context.Pool.Fallback;
        context.Trace?.Add($"geo: no region with a usable member matches the client: fallback {fallback.Name}");
        int count = fallback.Select(ref context, chosen);
        context.Reason = DecisionReason.Fallback; // whatever the fallback policy itself reported
        return count;
    }

    /// <summary>The first of <paramref name="regionIndices"/> that has a candidate (left in <paramref name="inRegion"/>).</summary>
    private static RegionModel? First(ref SelectionContext context, ReadOnlySpan<int> regionIndices, scoped Span<int> inRegion)
    {
        foreach (int index in regionIndices)
        {
            var region = context.Pool.Regions[index];
            if (context.CandidatesIn(region, inRegion) > 0)
            {
                return region;
            }

            context.Trace?.Add($"geo: region {region.Name} matches but has no usable member");
        }

        return null;
    }

    private static int Decide(ref SelectionContext context, RegionModel region, scoped Span<int> inRegion, Span<int> chosen)
    {
        if (context.Trace is { } trace)
        {
            trace.Region = region.Name;
        }

        context.Reason = DecisionReason.GeoMatch;
        int count = context.CandidatesIn(region, inRegion);
        return WeightedChoice.Pick(ref context, inRegion[..count], chosen);
    }
}
