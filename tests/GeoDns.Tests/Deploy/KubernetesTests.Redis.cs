using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using GeoDns.Tests.Redis;

namespace GeoDns.Tests.Deploy;

/// <summary>
/// redis.yaml (a Redis StatefulSet with sentinel sidecars) agrees with itself and with the
/// <c>--redis</c> of deployment.yaml; its configuration files start the real redis-server and
/// redis-sentinel installed here, and its scripts parse.
/// </summary>
public sealed partial class KubernetesTests
{
    private static string RedisConfig(string key) =>
        DeployFiles.Map(Find("ConfigMap", "redis-config"), "data").GetValueOrDefault(key) as string ?? throw new AssertionException($"redis-config has no {key}");

    private static int ContainerPort(Dictionary<string, object?> container, string name) => int.Parse(
        DeployFiles.Text(DeployFiles.List(container, "ports").Cast<Dictionary<string, object?>>().Single(p => DeployFiles.Text(p, "name") == name), "containerPort")!,
        CultureInfo.InvariantCulture);

    [Test]
    public void RedisSentinelsAgreeWithTheRedisArgument()
    {
        var geodns = Container(Find("Deployment", "geodns"), "geodns");
        var settings = DeployFiles.ServeSettings(DeployFiles.Strings(geodns, "args"), "deployment.yaml args");
        var redis = new GeoDns.Redis.RedisSharedStateOptions { Configuration = settings["Redis"]!, Instance = "pod" }.ToConfigurationOptions();
        var set = Find("StatefulSet", "redis");
        int replicas = int.Parse(DeployFiles.Text(set, "spec.replicas")!, CultureInfo.InvariantCulture);
        string headless = DeployFiles.Text(set, "spec.serviceName")!;
        var service = Find("Service", headless);
        var podLabels = Labels(set, "spec.template.metadata.labels");
        var sentinel = Container(set, "sentinel");
        var server = Container(set, "redis");
        int sentinelPort = ContainerPort(sentinel, "sentinel");

        Assert.Multiple(() =>
        {
            // --redis: every sentinel pod by its stable name, and the service the sentinels monitor.
            Assert.That(replicas, Is.GreaterThanOrEqualTo(3), "three sentinels at least, so two can agree while one is down");
            Assert.That(redis.ServiceName, Is.Not.Null.And.Not.Empty, "--redis names the Sentinel service (serviceName=)");
            var named = redis.EndPoints.Cast<DnsEndPoint>().Select(e => $"{e.Host}:{e.Port}").ToList();
            var pods = Enumerable.Range(0, replicas).Select(i => $"redis-{i}.{headless}:{sentinelPort}").ToList();
            Assert.That(named, Is.EquivalentTo(pods), "--redis lists every sentinel pod");
            var sentinelMonitor = SentinelMonitor().Match(RedisConfig("sentinel.conf"));
            Assert.That(sentinelMonitor.Success, Is.True, "sentinel.conf monitors a service");
            Assert.That(sentinelMonitor.Groups["name"].Value, Is.EqualTo(redis.ServiceName), "serviceName= is the service sentinel.conf monitors");
            int quorum = int.Parse(sentinelMonitor.Groups["quorum"].Value, CultureInfo.InvariantCulture);
            Assert.That(quorum, Is.InRange(replicas / 2 + 1, replicas), "a majority of the sentinels must agree a primary is down");
            Assert.That(int.Parse(sentinelMonitor.Groups["port"].Value, CultureInfo.InvariantCulture), Is.EqualTo(ContainerPort(server, "redis")));
            Assert.That(RedisConfig("sentinel.conf"), Does.Contain($"port {sentinelPort}\n"));
            Assert.That(RedisConfig("redis.conf"), Does.Contain($"port {ContainerPort(server, "redis")}\n"));

            // The scripts find the pods by the same names.
            Assert.That(RedisConfig("primary.sh"), Does.Contain("for pod in " + string.Join(' ', Enumerable.Range(0, replicas).Select(i => $"redis-{i}")) + ";"));
            Assert.That(RedisConfig("primary.sh"), Does.Contain($".{headless}\"").And.Contain($"-p {sentinelPort}").And.Contain($"get-master-addr-by-name {redis.ServiceName}"));

            // The headless Service names every pod, ready or not, on both ports.
            Assert.That(DeployFiles.Text(service, "spec.clusterIP"), Is.EqualTo("None"));
            Assert.That(DeployFiles.Text(service, "spec.publishNotReadyAddresses"), Is.EqualTo("true"));
            AssertSelects(Labels(service, "spec.selector"), podLabels, $"Service {headless}");
            var ports = DeployFiles.List(service, "spec.ports").Cast<Dictionary<string, object?>>()
                .ToDictionary(p => DeployFiles.Text(p, "targetPort")!, p => DeployFiles.Text(p, "port"), StringComparer.Ordinal);
            Assert.That(ports, Is.EquivalentTo(new Dictionary<string, string?>
            {
                ["redis"] = ContainerPort(server, "redis").ToString(CultureInfo.InvariantCulture),
                ["sentinel"] = sentinelPort.ToString(CultureInfo.InvariantCulture),
            }));

            AssertSelects(Labels(set, "spec.selector.matchLabels"), podLabels, "StatefulSet selector");
            AssertSelects(Labels(Find("PodDisruptionBudget", "redis"), "spec.selector.matchLabels"), podLabels, "PodDisruptionBudget redis");
            Assert.That(int.Parse(DeployFiles.Text(Find("PodDisruptionBudget", "redis"), "spec.minAvailable")!, CultureInfo.InvariantCulture), Is.EqualTo(quorum),
                "voluntary disruptions leave a quorum of sentinels");

            // Non-root, read-only root: sentinel rewrites its file in a volume of its own.
            foreach (var container in new[] { server, sentinel })
            {
                Assert.That(DeployFiles.Text(container, "securityContext.readOnlyRootFilesystem"), Is.EqualTo("true"));
                Assert.That(DeployFiles.Text(container, "securityContext.allowPrivilegeEscalation"), Is.EqualTo("false"));
            }

            var mounts = DeployFiles.List(sentinel, "volumeMounts").Cast<Dictionary<string, object?>>().ToDictionary(m => DeployFiles.Text(m, "mountPath")!, m => DeployFiles.Text(m, "readOnly"), StringComparer.Ordinal);
            Assert.That(mounts.ContainsKey("/sentinel") && mounts["/sentinel"] != "true", Is.True, "sentinel's writable folder");
            Assert.That(DeployFiles.Text(set, "spec.template.spec.securityContext.runAsNonRoot"), Is.EqualTo("true"));
        });
    }

    /// <summary>redis.conf and sentinel.conf (ports and names moved to loopback) start the real servers; the scripts parse.</summary>
    [Test]
    [CancelAfter(60_000)]
    public async Task RedisConfigurationFilesStartTheRealServersAndTheScriptsParse()
    {
        var folder = Directory.CreateTempSubdirectory("geodns-k8s-redis-");
        var processes = new List<ChildProcess>();
        try
        {
            foreach (var script in new[] { "primary.sh", "redis.sh", "sentinel.sh" })
            {
                var path = Path.Combine(folder.FullName, script);
                await File.WriteAllTextAsync(path, RedisConfig(script));
                var (exit, output) = await ChildProcess.RunAsync("sh", ["-n", path], folder.FullName, null, TimeSpan.FromSeconds(10));
                Assert.That(exit, Is.Zero, $"{script}: {output}");
            }

            int redisPort = SentinelGroup.FreePort();
            var redisConf = Path.Combine(folder.FullName, "redis.conf");
            await File.WriteAllTextAsync(redisConf, RedisConfig("redis.conf").Replace("port 6379", $"port {redisPort}\nbind 127.0.0.1", StringComparison.Ordinal)
                .Replace("dir /data", $"dir {folder.FullName}", StringComparison.Ordinal));
            var server = ChildProcess.Start("redis-server", [redisConf], folder.FullName);
            processes.Add(server);
            SentinelGroup.WaitListening(redisPort, server);

            int sentinelPort = SentinelGroup.FreePort();
            var sentinelConf = Path.Combine(folder.FullName, "sentinel.conf");
            await File.WriteAllTextAsync(sentinelConf, RedisConfig("sentinel.conf").Replace("port 26379", $"port {sentinelPort}\nbind 127.0.0.1", StringComparison.Ordinal)
                .Replace("dir /sentinel", $"dir {folder.FullName}", StringComparison.Ordinal)
                .Replace("PRIMARY 6379", $"localhost {redisPort}", StringComparison.Ordinal));
            var sentinel = ChildProcess.Start("redis-sentinel", [sentinelConf], folder.FullName);
            processes.Add(sentinel);
            SentinelGroup.WaitListening(sentinelPort, sentinel);
            var master = SentinelGroup.Fields(await SentinelGroup.CliAsync(sentinelPort, "sentinel", "master", "mymaster"));
            Assert.That(master.GetValueOrDefault("port"), Is.EqualTo(redisPort.ToString(CultureInfo.InvariantCulture)), sentinel.Output);
            Assert.That(master.GetValueOrDefault("down-after-milliseconds"), Is.EqualTo("5000"));
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }

            folder.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"^sentinel monitor (?<name>\S+) PRIMARY (?<port>\d+) (?<quorum>\d+)$", RegexOptions.Multiline)]
    private static partial Regex SentinelMonitor();
}
