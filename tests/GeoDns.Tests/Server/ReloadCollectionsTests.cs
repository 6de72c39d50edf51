using System.Runtime;
using GeoDns.Hosting;
using GeoDns.Tests.Cli;

namespace GeoDns.Tests.Server;

/// <summary>
/// A reload's build runs in the collector's low-latency mode (no gen2 collection beside it), and
/// afterwards the old zone's memory is collected and handed back in small steps. How short the
/// pauses get is measured by bench/dns/scale.sh (GC_PAUSES=1), not here.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ReloadCollectionsTests
{
    [Test]
    public void TheBuildRunsInLowLatencyAndTheModeComesBackAfter()
    {
        var before = GCSettings.LatencyMode;
        Assume.That(before, Is.Not.EqualTo(GCLatencyMode.LowLatency));
        using (var window = ReloadCollections.Begin())
        {
            Assert.That(window, Is.Not.Null);
            Assert.That(GCSettings.LatencyMode, Is.EqualTo(GCLatencyMode.LowLatency));
        }

        Assert.That(GCSettings.LatencyMode, Is.EqualTo(before));
    }

    [Test]
    public void NoWindowInsideANoGcRegion()
    {
        Assert.That(GC.TryStartNoGCRegion(1 << 20), Is.True);
        try
        {
            Assert.That(ReloadCollections.Begin(), Is.Null);
            Assert.That(GCSettings.LatencyMode, Is.EqualTo(GCLatencyMode.NoGCRegion));
        }
        finally
        {
            GC.EndNoGCRegion();
        }
    }

    [Test]
    public async Task SettlingCollectsInStepsUntilTheMemoryStopsFallingThenEnds()
    {
        int before = GC.CollectionCount(0);
        long background = GC.GetGCMemoryInfo(GCKind.Background).Index;
        var settle = ReloadCollections.CollectOldAndSettle();
        Assert.That(await Task.WhenAny(settle, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(settle), "the steps end on their own");

        int steps = await settle;
        Assert.That(steps, Is.InRange(ReloadCollections.QuietSteps, ReloadCollections.MaxSettleSteps));
        Assert.That(GC.CollectionCount(0) - before, Is.GreaterThanOrEqualTo(steps), "one collection per step");
        if (ReloadCollections.BackgroundCollections)
        {
            Assert.That(GC.GetGCMemoryInfo(GCKind.Background).Index, Is.Not.EqualTo(background), "the background collection ran");
        }
    }

    [Test]
    public async Task NoFullCollectionIsForcedWhereItWouldBlock()
    {
        // This test host runs without concurrent collections (Directory.Build.props), GeoDns with them.
        Assume.That(ReloadCollections.BackgroundCollections, Is.False);
        int full = GC.CollectionCount(2);
        await ReloadCollections.CollectOldAndSettle();
        Assert.That(GC.CollectionCount(2), Is.EqualTo(full));
    }

    [Test]
    public void GeoDnsCollectsInTheBackground()
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(GeoDnsProcess.Dll, ".runtimeconfig.json")))!;
        Assert.That(config["runtimeOptions"]?["configProperties"]?["System.GC.Concurrent"]?.GetValue<bool>(), Is.True, config.ToJsonString());
    }

    [Test]
    public async Task ANewReloadStopsTheSteps()
    {
        var settle = ReloadCollections.CollectOldAndSettle();
        using (ReloadCollections.Begin())
        {
            Assert.That(await Task.WhenAny(settle, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(settle));
            Assert.That(await settle, Is.Zero, "stopped before its first step: the build collects on its own");
        }
    }
}
