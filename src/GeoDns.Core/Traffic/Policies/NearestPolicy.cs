using GeoDns.Core.Traffic;

namespace GeoDns.Core.Traffic.Policies;

/// <summary>
/// <c>nearest</c>: the region whose lat/lon is closest to the client (great-circle), then by
/// weight inside it. Client location unknown: members in failover order.
/// </summary>
public sealed class NearestPolicy : IRoutingPolicy
{
    public static readonly NearestPolicy Instance = new();

    public string Name => "nearest";

    public bool UsesLocation => true;

    public bool UsesWeights => true;

    public int Select(ref SelectionContext context, Span<int> chosen)
    {
        var location = context.Location();
        context.DependsOn(location.NetworkPrefix);
        if (!location.HasCoordinates)
        {
            context.Trace?.Add("nearest: client coordinates unknown: members in failover order");
            context.Reason = DecisionReason.Fallback;
            return FailoverPolicy.Instance.Select(ref context, chosen);
        }

        RegionModel? best = null;
        double bestDistance = double.MaxValue;
        Span<int> inRegion = stackalloc int[context.Candidates.Length];
        foreach (var region in context.Pool.Regions)
        {
            if (!region.HasCoordinates || context.CandidatesIn(region, inRegion) == 0)
            {
                continue;
            }

            var d = region.Definition;
            double distance = GeoMath.DistanceKm(location.Latitude, location.Longitude, d.Latitude!.Value, d.Longitude!.Value);
            context.Trace?.Add(FormattableString.Invariant($"nearest: region {region.Name} is {distance:0} km away"));
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = region;
            }
        }

        if (best is null)
        {
            context.Trace?.Add("nearest: no region with coordinates has a usable member: members in failover order");
            context.Reason = DecisionReason.Fallback;
            return FailoverPolicy.Instance.Select(ref context, chosen);
        }

        if (context.Trace is { } trace)
        {
            trace.Region = best.Name;
            trace.Add($"nearest: region {best.Name}");
        }

        context.Reason = DecisionReason.GeoMatch;
        int count = context.CandidatesIn(best, inRegion);
        return WeightedChoice.Pick(ref context, inRegion[..count], chosen);
    }
}
