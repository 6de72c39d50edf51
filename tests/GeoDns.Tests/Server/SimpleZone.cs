using GeoDns.Core;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoDns.Tests.Server;

/// <summary>A query processor serving <see cref="TestZones.Simple"/>, loaded from a folder through the zone store as <c>serve</c> loads it.</summary>
internal static class SimpleZone
{
    public static QueryProcessor Processor()
    {
        var folder = Directory.CreateTempSubdirectory("geodns-simple-zone-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "simple.test.zone"), TestZones.Simple());
            var processor = new QueryProcessor(Snapshot.Empty);
            var store = new ZoneStore(folder.FullName, processor, ZonePipeline.BuiltIn(), [], NullLogger<ZoneStore>.Instance);
            Assert.That(store.Reload(), Is.Zero);
            return processor;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
