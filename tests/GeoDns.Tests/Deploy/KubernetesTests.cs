namespace GeoDns.Tests.Deploy;

/// <summary>
/// deploy/kubernetes (a Kustomize base): every manifest parses, and they agree with each other
/// (labels and selectors, ports, the ConfigMap and Secret behind the mounted paths) and with
/// GeoDns (options it has, probe paths that are admin routes, zones that pass geodns check).
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed partial class KubernetesTests
{
    private const string Base = "deploy/kubernetes";

    private static Dictionary<string, object?> Kustomization() => (Dictionary<string, object?>)DeployFiles.Yaml($"{Base}/kustomization.yaml").Single()!;

    /// <summary>Every object of every resource the kustomization lists.</summary>
    private static List<Dictionary<string, object?>> Objects() =>
    [
        .. DeployFiles.Strings(Kustomization(), "resources")
            .SelectMany(r => DeployFiles.Yaml($"{Base}/{r}"))
            .Select(o => o as Dictionary<string, object?> ?? throw new AssertionException("a resource document is not a mapping")),
    ];

    private static Dictionary<string, object?> Find(string kind, string name) =>
        Objects().SingleOrDefault(o => DeployFiles.Text(o, "kind") == kind && DeployFiles.Text(o, "metadata.name") == name)
            ?? throw new AssertionException($"no {kind} {name} in {Base}");

    private static Dictionary<string, object?> Container(Dictionary<string, object?> deployment, string name) =>
        DeployFiles.List(deployment, "spec.template.spec.containers").Cast<Dictionary<string, object?>>().Single(c => DeployFiles.Text(c, "name") == name);

    private static Dictionary<string, string?> Labels(object? node, string path) =>
        DeployFiles.Map(node, path).ToDictionary(kv => kv.Key, kv => kv.Value as string, StringComparer.Ordinal);

    private static void AssertSelects(Dictionary<string, string?> selector, Dictionary<string, string?> labels, string what)
    {
        Assert.That(selector, Is.Not.Empty, what);
        foreach (var (key, value) in selector)
        {
            Assert.That(labels.GetValueOrDefault(key), Is.EqualTo(value), $"{what}: selector {key}={value} does not match the pod labels");
        }
    }

    [Test]
    public void EveryManifestParsesAndEveryResourceExists()
    {
        var resources = DeployFiles.Strings(Kustomization(), "resources");
        var files = Directory.GetFiles(DeployFiles.PathOf(Base), "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");
        Assert.That(resources, Is.EquivalentTo(files), "the kustomization lists every manifest of the folder");
        var kinds = Objects().Select(o => $"{DeployFiles.Text(o, "kind")}/{DeployFiles.Text(o, "metadata.name")}").ToList();
        Assert.That(kinds, Is.SupersetOf(new[] { "Deployment/geodns", "Service/geodns", "Service/geodns-admin", "PodDisruptionBudget/geodns", "Secret/geodns-admin",
            "StatefulSet/redis", "Service/redis-headless", "ConfigMap/redis-config", "PodDisruptionBudget/redis" }));
        Assert.That(kinds, Is.Unique);
        foreach (var o in Objects())
        {
            Assert.That(DeployFiles.Text(o, "apiVersion"), Is.Not.Null.And.Not.Empty, $"{DeployFiles.Text(o, "kind")} has an apiVersion");
        }
    }

    [Test]
    public void DeploymentRunsThreeSpreadNonRootReadOnlyReplicas()
    {
        var deployment = Find("Deployment", "geodns");
        var pod = DeployFiles.Map(deployment, "spec.template.spec");
        var container = Container(deployment, "geodns");
        Assert.Multiple(() =>
        {
            Assert.That(DeployFiles.Text(deployment, "spec.replicas"), Is.EqualTo("3"));
            AssertSelects(Labels(deployment, "spec.selector.matchLabels"), Labels(deployment, "spec.template.metadata.labels"), "Deployment selector");
            var anti = DeployFiles.List(pod, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution").Cast<Dictionary<string, object?>>().Single();
            Assert.That(DeployFiles.Text(anti, "podAffinityTerm.topologyKey"), Is.EqualTo("kubernetes.io/hostname"));
            AssertSelects(Labels(anti, "podAffinityTerm.labelSelector.matchLabels"), Labels(deployment, "spec.template.metadata.labels"), "anti-affinity");

            Assert.That(DeployFiles.Text(pod, "securityContext.runAsNonRoot"), Is.EqualTo("true"));
            Assert.That(DeployFiles.Text(pod, "securityContext.runAsUser"), Is.Not.EqualTo("0"));
            Assert.That(DeployFiles.Text(container, "securityContext.readOnlyRootFilesystem"), Is.EqualTo("true"));
            Assert.That(DeployFiles.Text(container, "securityContext.allowPrivilegeEscalation"), Is.EqualTo("false"));
            Assert.That(DeployFiles.Strings(container, "securityContext.capabilities.drop"), Is.EqualTo(new[] { "ALL" }));
            Assert.That(DeployFiles.Strings(container, "securityContext.capabilities.add"), Does.Contain("NET_BIND_SERVICE"));

            // A non-root process gets no ambient capabilities from Kubernetes: port 53 needs the sysctl.
            var sysctls = DeployFiles.List(pod, "securityContext.sysctls").Cast<Dictionary<string, object?>>()
                .ToDictionary(s => DeployFiles.Text(s, "name")!, s => DeployFiles.Text(s, "value"), StringComparer.Ordinal);
            Assert.That(int.Parse(sysctls["net.ipv4.ip_unprivileged_port_start"]!, System.Globalization.CultureInfo.InvariantCulture), Is.LessThanOrEqualTo(53));
            var group = DeployFiles.Text(pod, "securityContext.runAsGroup")!;
            Assert.That(sysctls["net.ipv4.ping_group_range"], Is.EqualTo($"{group} {group}"), "icmp checks through a ping socket for the pod's group");

            Assert.That(DeployFiles.Text(container, "resources.requests.cpu"), Is.Not.Null);
            Assert.That(DeployFiles.Text(container, "resources.requests.memory"), Is.Not.Null);
            Assert.That(DeployFiles.Text(container, "resources.limits.memory"), Is.Not.Null);
        });
    }

    [Test]
    public async Task ContainerArgumentsPortsAndProbesAgreeWithGeoDns()
    {
        var deployment = Find("Deployment", "geodns");
        var container = Container(deployment, "geodns");
        var settings = DeployFiles.ServeSettings(DeployFiles.Strings(container, "args"), "deployment.yaml args");
        var ports = DeployFiles.List(container, "ports").Cast<Dictionary<string, object?>>()
            .ToDictionary(p => DeployFiles.Text(p, "name")!, p => (Port: DeployFiles.Text(p, "containerPort"), Protocol: DeployFiles.Text(p, "protocol") ?? "TCP"), StringComparer.Ordinal);

        int dns = DeployFiles.PortOf(settings["Dns:0"]!);
        Assert.That(DeployFiles.HostOf(settings["Dns:0"]!), Is.EqualTo("0.0.0.0"));
        Assert.That(ports["dns-udp"], Is.EqualTo((dns.ToString(System.Globalization.CultureInfo.InvariantCulture), "UDP")));
        Assert.That(ports["dns-tcp"], Is.EqualTo((dns.ToString(System.Globalization.CultureInfo.InvariantCulture), "TCP")));
        int admin = DeployFiles.PortOf(settings["Admin"]!);
        Assert.That(ports["admin"].Port, Is.EqualTo(admin.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        // --instance is the pod's name, from the downward API.
        Assert.That(settings["Instance"], Is.EqualTo("$(POD_NAME)"));
        var env = DeployFiles.List(container, "env").Cast<Dictionary<string, object?>>().Single(e => DeployFiles.Text(e, "name") == "POD_NAME");
        Assert.That(DeployFiles.Text(env, "valueFrom.fieldRef.fieldPath"), Is.EqualTo("metadata.name"));

        // --redis is read as GeoDns reads it (RedisSentinelsAgreeWithTheRedisArgument checks what it names).
        Assert.That(() => new global::GeoDns.Redis.RedisSharedStateOptions { Configuration = settings["Redis"]!, Instance = "pod" }.ToConfigurationOptions(), Throws.Nothing);

        using var routes = await AdminRoutes.StartAsync();
        foreach (var (probe, path) in new[] { ("readinessProbe", "/readyz"), ("livenessProbe", "/healthz"), ("startupProbe", "/healthz") })
        {
            Assert.That(DeployFiles.Text(container, $"{probe}.httpGet.path"), Is.EqualTo(path), probe);
            Assert.That(DeployFiles.Text(container, $"{probe}.httpGet.port"), Is.EqualTo("admin"), probe);
            Assert.That(await routes.ExistsAsync(path), Is.True, $"{probe}: {path} is not an admin route");
        }
    }

    [Test]
    public void ServicesExposeDnsOverUdpAndTcpAndSelectThePods()
    {
        var deployment = Find("Deployment", "geodns");
        var labels = Labels(deployment, "spec.template.metadata.labels");
        var portNames = DeployFiles.List(Container(deployment, "geodns"), "ports").Cast<Dictionary<string, object?>>()
            .ToDictionary(p => DeployFiles.Text(p, "name")!, p => DeployFiles.Text(p, "protocol") ?? "TCP", StringComparer.Ordinal);

        var dns = Find("Service", "geodns");
        Assert.That(DeployFiles.Text(dns, "spec.type"), Is.EqualTo("LoadBalancer"));
        Assert.That(DeployFiles.Text(dns, "spec.externalTrafficPolicy"), Is.EqualTo("Local"), "keep client addresses for geo answers");
        AssertSelects(Labels(dns, "spec.selector"), labels, "Service geodns");
        var exposed = DeployFiles.List(dns, "spec.ports").Cast<Dictionary<string, object?>>()
            .Select(p => (Port: DeployFiles.Text(p, "port"), Protocol: DeployFiles.Text(p, "protocol"), Target: DeployFiles.Text(p, "targetPort"))).ToList();
        Assert.That(exposed.Select(p => $"{p.Port}/{p.Protocol}"), Is.EquivalentTo(new[] { "53/UDP", "53/TCP" }));
        foreach (var (_, protocol, target) in exposed)
        {
            Assert.That(portNames.GetValueOrDefault(target!), Is.EqualTo(protocol), $"targetPort {target} is a container port of the same protocol");
        }

        var admin = Find("Service", "geodns-admin");
        Assert.That(DeployFiles.Text(admin, "spec.type"), Is.EqualTo("ClusterIP"), "the admin API stays inside the cluster");
        AssertSelects(Labels(admin, "spec.selector"), labels, "Service geodns-admin");

        var budget = Find("PodDisruptionBudget", "geodns");
        AssertSelects(Labels(budget, "spec.selector.matchLabels"), labels, "PodDisruptionBudget");
        Assert.That(int.Parse(DeployFiles.Text(budget, "spec.minAvailable")!, System.Globalization.CultureInfo.InvariantCulture),
            Is.InRange(1, int.Parse(DeployFiles.Text(deployment, "spec.replicas")!, System.Globalization.CultureInfo.InvariantCulture) - 1));
    }

    [Test]
    public async Task ZonesConfigMapAndTokenSecretAreWhereTheArgumentsLook()
    {
        var deployment = Find("Deployment", "geodns");
        var container = Container(deployment, "geodns");
        var settings = DeployFiles.ServeSettings(DeployFiles.Strings(container, "args"), "deployment.yaml args");
        var mounts = DeployFiles.List(container, "volumeMounts").Cast<Dictionary<string, object?>>()
            .ToDictionary(m => DeployFiles.Text(m, "name")!, m => DeployFiles.Text(m, "mountPath")!, StringComparer.Ordinal);
        var volumes = DeployFiles.List(deployment, "spec.template.spec.volumes").Cast<Dictionary<string, object?>>()
            .ToDictionary(v => DeployFiles.Text(v, "name")!, v => v, StringComparer.Ordinal);

        // Zones: a generated ConfigMap of zone files, mounted at --zones.
        var zonesVolume = mounts.Single(m => m.Value == settings["Zones"]).Key;
        var configMap = DeployFiles.Text(volumes[zonesVolume], "configMap.name");
        var generator = DeployFiles.List(Kustomization(), "configMapGenerator").Cast<Dictionary<string, object?>>().Single(g => DeployFiles.Text(g, "name") == configMap);
        var files = DeployFiles.Strings(generator, "files");
        Assert.That(files, Is.Not.Empty);
        var folder = Directory.CreateTempSubdirectory("geodns-k8s-zones-");
        try
        {
            foreach (var file in files)
            {
                Assert.That(file, Does.EndWith(".zone"), "the loader reads *.zone files (the ConfigMap key is the file name)");
                File.Copy(DeployFiles.PathOf($"{Base}/{file}"), Path.Combine(folder.FullName, Path.GetFileName(file)));
            }

            var (exit, output) = await ChildProcess.RunAsync("dotnet", [Cli.GeoDnsProcess.Dll, "check", folder.FullName], DeployFiles.Root, null, TimeSpan.FromSeconds(60));
            Assert.That(exit, Is.EqualTo(0), output);
            Assert.That(output, Does.Contain(" 0 errors"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        // The token: the Secret's key, mounted where --admin-token-file points.
        var tokenPath = settings["AdminTokenFile"]!;
        var tokenVolume = mounts.Single(m => m.Value == Path.GetDirectoryName(tokenPath)).Key;
        var secretName = DeployFiles.Text(volumes[tokenVolume], "secret.secretName")!;
        var secret = Find("Secret", secretName);
        Assert.That(DeployFiles.Map(secret, "stringData").Keys, Does.Contain(Path.GetFileName(tokenPath)));

        // The cookie secret every replica shares: a key of a mounted Secret, a value serve accepts.
        var cookiePath = settings["Cookies:SecretFile"]!;
        var cookieVolume = mounts.Single(m => m.Value == Path.GetDirectoryName(cookiePath)).Key;
        var cookieSecret = Find("Secret", DeployFiles.Text(volumes[cookieVolume], "secret.secretName")!);
        var cookieValue = DeployFiles.Map(cookieSecret, "stringData").GetValueOrDefault(Path.GetFileName(cookiePath)) as string;
        Assert.That(cookieValue, Is.Not.Null, $"the Secret has no key {Path.GetFileName(cookiePath)}");
        Assert.That(new Hosting.CookieSettings { Secret = cookieValue }.Build(TimeProvider.System), Is.Not.Null);

        // A read-only root: /tmp is a volume.
        Assert.That(mounts.Values, Does.Contain("/tmp"));
    }

    /// <summary>Where kubectl is installed, the base builds with its Kustomize (not on every machine: not required).</summary>
    [Test]
    public async Task KustomizeBuildsTheBase()
    {
        var kubectl = new[] { "/usr/bin/kubectl", "/usr/local/bin/kubectl" }.FirstOrDefault(File.Exists);
        if (kubectl is null)
        {
            Assert.Ignore("kubectl is not installed; the manifests were parsed by the other tests");
        }

        var (exit, output) = await ChildProcess.RunAsync(kubectl, ["kustomize", DeployFiles.PathOf(Base)], DeployFiles.Root, null, TimeSpan.FromSeconds(60));
        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.Match(@"name: geodns-zones-[a-z0-9]+"), "the zones ConfigMap name carries its content hash");
        Assert.That(output, Does.Contain("namespace: geodns"));
    }
}
