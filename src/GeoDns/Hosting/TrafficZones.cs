using GeoDns.Core.Health;
using GeoDns.Core.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones;

namespace GeoDns.Hosting;

/// <summary>
/// The traffic half of the reload pipeline: <see cref="Build"/> is the <see cref="ZoneStore"/>'s
/// compiler (pools built into the zones it serves), <see cref="Retain"/> one of its load
/// observers: after each reload the <see cref="HealthBoard"/> forgets members no served zone
/// declares any more (so the admin API stops listing them and their regions). A zone that
/// failed to load keeps the members of the version still served.
/// </summary>
public sealed class TrafficZones(TrafficCompiler compiler, HealthBoard board)
{
    private readonly Dictionary<string, IReadOnlySet<MemberKey>> _served = new(StringComparer.Ordinal);

    public Zone Build(ZoneFile file)
    {
        var zone = compiler.BuildZone(file);
        lock (_served)
        {
            _served[file.Origin.Key] = TrafficCompiler.KeysOf([file]);
        }

        return zone;
    }

    public void Retain(IReadOnlyList<ZoneFile> files)
    {
        var present = files.Select(f => f.Origin.Key).ToHashSet(StringComparer.Ordinal);
        lock (_served)
        {
            foreach (var gone in _served.Keys.Where(k => !present.Contains(k)).ToList())
            {
                _served.Remove(gone);
            }

            board.Retain(_served.Values.SelectMany(k => k).ToHashSet());
        }
    }
}
