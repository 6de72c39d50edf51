using GeoDns.Tests;

namespace GeoDns.Core.Tests;

/// <summary>
/// The core's layering (docs/design.md, "Layers"), read from the <c>namespace</c> and <c>using</c>
/// lines of src/GeoDns.Core: each namespace imports only from its own layer or the ones below.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>Bottom to top; a namespace may use its own row and the rows above it in this list.</summary>
    private static readonly string[][] Layers =
    [
        ["GeoDns.Core.Dns", "GeoDns.Core.Settings"],
        ["GeoDns.Core.Wire"],
        ["GeoDns.Core.RateLimiting", "GeoDns.Core.Cookies"],
        ["GeoDns.Core.Zones.Parsing"],
        ["GeoDns.Core.Zones.RData"],
        ["GeoDns.Core.Zones"],
        ["GeoDns.Core.Health"],
        ["GeoDns.Core.Health.Checks"],
        ["GeoDns.Core.Answers"],
        ["GeoDns.Core.Traffic"],
        ["GeoDns.Core.Traffic.Policies"],
        ["GeoDns.Core.Lookup"],
        ["GeoDns.Core.Dnssec"],
        ["GeoDns.Core.Transfers"],
        ["GeoDns.Core.Loading"],
        ["GeoDns.Core"],
    ];

    private static readonly Lazy<NamespaceGraph> Core = new(() => NamespaceGraph.Read(
        Path.Combine(NamespaceGraph.RepositoryRoot(), "src", "GeoDns.Core"),
        ns => ns == "GeoDns.Core" || ns.StartsWith("GeoDns.Core.", StringComparison.Ordinal)));

    private static int Rank(string ns) => Array.FindIndex(Layers, row => row.Contains(ns));

    [Test]
    public void EveryNamespaceHasALayer() =>
        Assert.That(Core.Value.Edges.Keys.Where(ns => Rank(ns) < 0), Is.Empty, "add it to Layers (and to docs/design.md)");

    [Test]
    public void CoreNamespacesHaveNoCycle()
    {
        var cycles = Core.Value.Cycles();
        Assert.That(cycles, Is.Empty, Core.Value.Describe(cycles));
    }

    [Test]
    public void ImportsRunDownTheLayers()
    {
        var upward = Core.Value.Edges
            .SelectMany(e => e.Value.Select(target => (From: e.Key, To: target)))
            .Where(e => Rank(e.To) > Rank(e.From))
            .Select(e => $"{e.From} -> {e.To}");
        Assert.That(upward, Is.Empty);
    }

    [Test]
    public void TheQueryPathImportsNoLoadingOrHealthChecks()
    {
        foreach (var ns in new[] { "GeoDns.Core", "GeoDns.Core.Lookup", "GeoDns.Core.Answers", "GeoDns.Core.Wire" })
        {
            Assert.That(Core.Value.Edges[ns], Has.None.EqualTo("GeoDns.Core.Loading").And.None.EqualTo("GeoDns.Core.Health.Checks"), ns);
        }
    }
}
