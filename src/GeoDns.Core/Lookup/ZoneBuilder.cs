using GeoDns.Core.Answers;
using GeoDns.Core.Dns;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Lookup;

/// <summary>Builds the served form of a loaded zone file.</summary>
public static class ZoneBuilder
{
    /// <param name="poolFactory">Makes the per-query answer of each traffic-managed name.</param>
    /// <param name="serial">Serves this SOA serial instead of the file's (zone transfers move it on when health changes).</param>
    public static Zone Build(ZoneFile file, Func<PoolDefinition, IDynamicAnswer>? poolFactory = null, uint? serial = null)
    {
        if (file.HasErrors)
        {
            throw new InvalidOperationException($"zone {file.Origin} has errors and cannot be served");
        }

        var (owners, ownerOf) = file.TakeOwnerIndex();
        var soa = file.Soa;
        if (serial is { } newSerial)
        {
            soa = soa with { RData = soa.RData.ToArray() };
            DnsWire.WriteUInt32(soa.RData, soa.RData.Length - 20, newSerial);
        }

        var compiler = new ZoneCompiler(file.Origin, soa, file.Records.Count, owners);
        var records = file.Records;
        for (int i = 0; i < records.Count; i++)
        {
            var record = records[i].Record;
            compiler.Add(record.Type == RecordType.SOA ? soa : record, ownerOf is null ? -1 : ownerOf[i]);
        }

        var pools = new List<KeyValuePair<DnsName, IDynamicAnswer>>();
        if (poolFactory is not null)
        {
            foreach (var pool in file.Pools)
            {
                var answer = poolFactory(pool);
                compiler.AddPool(pool.Owner, answer);
                pools.Add(new(pool.Owner, answer));
            }
        }

        var zone = compiler.Compile();
        zone.Source = file;
        zone.Pools = pools;
        return zone;
    }

}
