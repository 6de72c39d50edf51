namespace GeoDns.Core.Traffic;

/// <summary>Great-circle distance on a spherical Earth.</summary>
public static class GeoMath
{
    public const double EarthRadiusKm = 6371.0088;

    /// <summary>Haversine distance in kilometres between two points given in degrees.</summary>
    public static double DistanceKm(double lat1, double lon1, double lat2, double lon2)
    {
        double p1 = DegreesToRadians(lat1);
        double p2 = DegreesToRadians(lat2);
        double dp = p2 - p1;
        double dl = DegreesToRadians(lon2 - lon1);
        double sinP = Math.Sin(dp / 2);
        double sinL = Math.Sin(dl / 2);
        double a = (sinP * sinP) + (Math.Cos(p1) * Math.Cos(p2) * sinL * sinL);
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private static double DegreesToRadians(double degrees) => degrees * (Math.PI / 180);
}
