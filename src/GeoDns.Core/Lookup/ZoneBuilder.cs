using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Lookup;

/// <summary>Builds the served form of a loaded zone file.</summary>
public static class ZoneBuilder
{
    /// <param name="poolFactory">Makes the per-query answer of each traffic-managed name.</param>
    public static Zone Build(ZoneFile file, Func<PoolDefinition, IDynamicAnswer>? poolFactory = null)
    {
        if (file.HasErrors)
        {
            throw new InvalidOperationException($"zone {file.Origin} has errors and cannot be served");
        }

        var (owners, ownerOf) = file.TakeOwnerIndex();
        var compiler = new ZoneCompiler(file.Origin, file.Soa, file.Records.Count, owners);
        var records = file.Records;
        for (int i = 0; i < records.Count; i++)
        {
            compiler.Add(records[i].Record, ownerOf is null ? -1 : ownerOf[i]);
        }

        if (poolFactory is not null)
        {
            foreach (var pool in file.Pools)
            {
                compiler.AddPool(pool.Owner, poolFactory(pool));
            }
        }

        return compiler.Compile();
    }

}
