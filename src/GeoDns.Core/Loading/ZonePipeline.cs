using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Loading;

/// <summary>The stages that turn a loaded zone file into the zone the server answers from.</summary>
public static class ZonePipeline
{
    /// <summary>Builds the served zone, pools included, with <paramref name="traffic"/> compiling each pool.</summary>
    public static Zone BuildZone(ZoneFile file, TrafficCompiler traffic) =>
        ZoneBuilder.Build(file, pool => traffic.Compile(pool, file.Regions));
}
