using System.Globalization;
using GeoDns.Core.Health;
using GeoDns.Tests.Deploy;
using static GeoDns.Tests.Redis.SharedNode;

namespace GeoDns.Tests.Redis;

/// <summary>
/// A real three-node Redis Cluster: every key of the shared state sits in the slot of the
/// <c>{geodns}</c> hash tag, so the override script runs, and classic pub/sub (broadcast to every
/// node) carries the announcements. Cluster stays unsupported (docs/shared-state.md): this shows
/// what happens, it is not a promise.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(90_000)]
public sealed class RedisClusterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Test]
    public async Task OverridesAndVotesAreSharedThroughAThreeNodeCluster()
    {
        var folder = Directory.CreateTempSubdirectory("geodns-cluster-");
        var processes = new List<ChildProcess>();
        var nodes = new List<SharedNode>();
        try
        {
            var ports = new List<int>();
            for (int i = 0; i < 3; i++)
            {
                int port = SentinelGroup.FreePort();
                var dir = folder.CreateSubdirectory(port.ToString(CultureInfo.InvariantCulture)).FullName;
                var process = ChildProcess.Start("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--cluster-enabled", "yes", "--dir", dir], dir);
                processes.Add(process);
                SentinelGroup.WaitListening(port, process);
                ports.Add(port);
            }

            var (exit, output) = await ChildProcess.RunAsync("redis-cli", ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-yes"],
                folder.FullName, null, TimeSpan.FromSeconds(30));
            Assert.That(exit, Is.Zero, output);
            foreach (int port in ports)
            {
                await SentinelGroup.WaitAsync(async () => (await SentinelGroup.CliAsync(port, "cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal),
                    $"node {port} to see the cluster ok");
            }

            string redis = string.Join(",", ports.Select(p => $"127.0.0.1:{p}"));
            var a = await StartAsync(redis, "a", GeoDns.Redis.RedisSharedStateOptions.DefaultPrefix);
            nodes.Add(a);
            var b = await StartAsync(redis, "b", GeoDns.Redis.RedisSharedStateOptions.DefaultPrefix);
            nodes.Add(b);
            await WaitForAsync(() => a.Link.LastSync is not null && !a.Link.Degraded && b.Link.LastSync is not null && !b.Link.Degraded, Timeout, "both synced");
            a.SetAllLocal(HealthStatus.Up);
            b.SetAllLocal(HealthStatus.Up);
            var result = await a.Overrides.ApplyAsync(OverrideChange.DrainRegion("eu-west", true));
            Assert.That(result.Shared, Is.True, result.Detail);
            await WaitForAsync(() => !b.Slot(Eu1).Usable, Timeout, "the drain on b");
            await WaitForAsync(() => a.View.VotesFor(a.Slot(Us1)).Count == 2, Timeout, "b's vote on a");
            Assert.That(a.Link.FailedOperations + b.Link.FailedOperations, Is.Zero, "no CROSSSLOT or MOVED failure");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            foreach (var process in processes)
            {
                process.Dispose();
            }

            folder.Delete(recursive: true);
        }
    }
}
