using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Traffic;

namespace GeoDns.Hosting;

/// <summary>
/// A load observer of the <see cref="ZoneStore"/>: after each reload the <see cref="HealthBoard"/>
/// forgets members no served zone declares any more (so the admin API stops listing them and
/// their regions). A zone that failed to load keeps the members of the version still served.
/// </summary>
public sealed class TrafficZones(HealthBoard board)
{
    private readonly Dictionary<string, IReadOnlySet<MemberKey>> _served = new(StringComparer.Ordinal);

    public void Retain(IReadOnlyList<ZoneBuild> builds)
    {
        var present = builds.Select(b => b.File.Origin.Key).ToHashSet(StringComparer.Ordinal);
        lock (_served)
        {
            foreach (var build in builds.Where(b => !b.HasErrors))
            {
                _served[build.File.Origin.Key] = TrafficCompiler.KeysOf([build.File]);
            }

            foreach (var gone in _served.Keys.Where(k => !present.Contains(k)).ToList())
            {
                _served.Remove(gone);
            }

            board.Retain(_served.Values.SelectMany(k => k).ToHashSet());
        }
    }
}
