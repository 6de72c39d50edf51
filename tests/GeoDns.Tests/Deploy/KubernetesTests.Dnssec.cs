namespace GeoDns.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/dnssec (a Kustomize component): the geodns-dnssec-keys Secret mounted
/// read-only where the appended <c>--keys</c> points, and the base with the component builds.
/// </summary>
public sealed partial class KubernetesTests
{
    private const string DnssecComponent = $"{Base}/dnssec";

    [Test]
    public void DnssecComponentMountsTheKeysSecretWhereKeysPoints()
    {
        var component = (Dictionary<string, object?>)DeployFiles.Yaml($"{DnssecComponent}/kustomization.yaml").Single()!;
        Assert.That(DeployFiles.Text(component, "kind"), Is.EqualTo("Component"));
        var patches = DeployFiles.List(component, "patches").Cast<Dictionary<string, object?>>().ToList();

        // The JSON patch's values, appended to the base's arguments, as geodns serve reads them.
        string jsonPatch = patches.Select(p => DeployFiles.Text(p, "patch")).Single(p => p is not null)!;
        var appended = new YamlDotNet.RepresentationModel.YamlStream();
        appended.Load(new StringReader(jsonPatch));
        var values = ((YamlDotNet.RepresentationModel.YamlSequenceNode)appended.Documents[0].RootNode).Children
            .Select(op => ((YamlDotNet.RepresentationModel.YamlScalarNode)op["value"]).Value!).ToList();
        var args = DeployFiles.Strings(Container(Find("Deployment", "geodns"), "geodns"), "args").Concat(values).ToList();
        string keys = DeployFiles.ServeSettings(args, "deployment.yaml args with the dnssec component")["Keys"]!;

        string patchFile = patches.Select(p => DeployFiles.Text(p, "path")).Single(p => p is not null)!;
        var patch = DeployFiles.Yaml($"{DnssecComponent}/{patchFile}").Single();
        var container = DeployFiles.List(patch, "spec.template.spec.containers").Cast<Dictionary<string, object?>>().Single();
        Assert.That(DeployFiles.Text(container, "name"), Is.EqualTo("geodns"));
        var mount = DeployFiles.List(container, "volumeMounts").Cast<Dictionary<string, object?>>().Single();
        Assert.That(DeployFiles.Text(mount, "mountPath"), Is.EqualTo(keys));
        Assert.That(DeployFiles.Text(mount, "readOnly"), Is.EqualTo("true"));
        var volume = DeployFiles.List(patch, "spec.template.spec.volumes").Cast<Dictionary<string, object?>>().Single();
        Assert.That(DeployFiles.Text(volume, "name"), Is.EqualTo(DeployFiles.Text(mount, "name")));
        Assert.That(DeployFiles.Text(volume, "secret.secretName"), Is.EqualTo("geodns-dnssec-keys"));
    }

    /// <summary>Where kubectl is installed, an overlay of the base with the component builds and carries the keys.</summary>
    [Test]
    public async Task KustomizeBuildsTheBaseWithTheDnssecComponent()
    {
        var kubectl = new[] { "/usr/bin/kubectl", "/usr/local/bin/kubectl" }.FirstOrDefault(File.Exists);
        if (kubectl is null)
        {
            Assert.Ignore("kubectl is not installed; the component was parsed by the other test");
        }

        string overlay = Path.Combine(Path.GetTempPath(), "geodns-k8s-dnssec-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(overlay);
            string baseCopy = Path.Combine(overlay, "base");
            await ChildProcess.RunAsync("cp", ["-r", DeployFiles.PathOf(Base), baseCopy], overlay, null, TimeSpan.FromSeconds(30));
            await File.WriteAllTextAsync(Path.Combine(overlay, "kustomization.yaml"), "resources: [base]\ncomponents: [base/dnssec]\n");
            var (exit, output) = await ChildProcess.RunAsync(kubectl, ["kustomize", overlay], overlay, null, TimeSpan.FromSeconds(60));
            Assert.That(exit, Is.EqualTo(0), output);
            Assert.That(output, Does.Match(@"- --keys\s+- /etc/geodns/keys"));
            Assert.That(output, Does.Contain("secretName: geodns-dnssec-keys"));
            Assert.That(output, Does.Match(@"mountPath: /etc/geodns/keys\s+name: dnssec-keys\s+readOnly: true"));
        }
        finally
        {
            Directory.Delete(overlay, recursive: true);
        }
    }
}
