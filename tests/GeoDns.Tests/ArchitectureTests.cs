namespace GeoDns.Tests;

/// <summary>
/// The host's layering (docs/design.md, "Host layers"): Program -&gt; Cli -&gt; Hosting -&gt;
/// {Server, Health, Redis, Geo, Admin} -&gt; Core, read from the <c>namespace</c> and <c>using</c>
/// lines of src/GeoDns. GeoDns.Core.* is left out here (its own tests guard it).
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Lazy<NamespaceGraph> Host = new(() => NamespaceGraph.Read(
        Path.Combine(NamespaceGraph.RepositoryRoot(), "src", "GeoDns"),
        ns => ns == "GeoDns" || (ns.StartsWith("GeoDns.", StringComparison.Ordinal)
            && ns != "GeoDns.Core" && !ns.StartsWith("GeoDns.Core.", StringComparison.Ordinal))));

    [Test]
    public void TheGraphSeesEveryHostLayer() =>
        Assert.That(Host.Value.Edges.Keys, Is.SupersetOf(new[]
        {
            "GeoDns", "GeoDns.Cli", "GeoDns.Hosting", "GeoDns.Server", "GeoDns.Health", "GeoDns.Redis", "GeoDns.Geo", "GeoDns.Admin",
            "GeoDns.Explain", "GeoDns.Transfers",
        }));

    /// <summary>Transfers serves the TCP listener's transfer requests: it stands on Server and the Core, never on Hosting.</summary>
    [Test]
    public void TransfersImportOnlyServerAndTheCore() =>
        Assert.That(Host.Value.Edges["GeoDns.Transfers"], Is.SubsetOf(new[] { "GeoDns.Server" }));

    /// <summary>Explain is shared by Cli (offline) and Admin (live): it stands on the Core alone.</summary>
    [Test]
    public void ExplainImportsNoHostNamespace() =>
        Assert.That(Host.Value.Edges["GeoDns.Explain"], Is.Empty);

    [Test]
    public void HostNamespacesHaveNoCycle()
    {
        var cycles = Host.Value.Cycles();
        Assert.That(cycles, Is.Empty, Host.Value.Describe(cycles));
    }

    [Test]
    public void AdminUsesNothingFromRedis() =>
        Assert.That(Host.Value.Edges["GeoDns.Admin"], Has.None.EqualTo("GeoDns.Redis"));

    [Test]
    public void OnlyHostingAndCliImportHosting() =>
        Assert.That(Host.Value.ImportersOf("GeoDns.Hosting"), Is.SubsetOf(new[] { "GeoDns.Cli" }));

    [Test]
    public void OnlyProgramImportsCli() =>
        Assert.That(Host.Value.ImportersOf("GeoDns.Cli"), Is.SubsetOf(new[] { "GeoDns" }));
}
