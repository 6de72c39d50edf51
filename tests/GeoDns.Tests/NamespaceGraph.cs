using System.Text.RegularExpressions;

namespace GeoDns.Tests;

/// <summary>
/// The namespace import graph of a C# source tree, read from each file's first <c>namespace</c>
/// line and its <c>using</c> lines (as <c>tools/nscycles.py</c> does): an edge A -&gt; B when a
/// file in A has <c>using B;</c>. <c>using static</c> and alias lines count for the namespace of
/// the type they name. Self-contained (no dependency on the project under test), so it can be
/// copied into another test project as it is.
/// </summary>
public sealed partial class NamespaceGraph
{
    private readonly SortedDictionary<string, SortedSet<string>> _edges;

    private NamespaceGraph(SortedDictionary<string, SortedSet<string>> edges) => _edges = edges;

    /// <summary>Every namespace and the namespaces it imports (only those <c>include</c> accepted).</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> Edges => _edges;

    /// <summary>
    /// Reads every <c>.cs</c> file under <paramref name="sourceDirectory"/> (bin and obj skipped).
    /// Only namespaces <paramref name="include"/> accepts become nodes, as importer or as imported.
    /// </summary>
    public static NamespaceGraph Read(string sourceDirectory, Func<string, bool> include)
    {
        var files = Directory.EnumerateFiles(sourceDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Select(f => File.ReadAllText(f))
            .Select(text => (Namespace: NamespaceLine().Match(text), Usings: UsingLines().Matches(text)))
            .Where(f => f.Namespace.Success)
            .ToList();
        var declared = files.Select(f => f.Namespace.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var edges = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (namespaceLine, usings) in files)
        {
            string from = namespaceLine.Groups["name"].Value;
            if (!include(from))
            {
                continue;
            }

            var targets = edges.TryGetValue(from, out var known) ? known : edges[from] = new SortedSet<string>(StringComparer.Ordinal);
            foreach (Match usingLine in usings)
            {
                bool namesAType = usingLine.Groups["static"].Success || usingLine.Groups["alias"].Success;
                if (Resolve(usingLine.Groups["name"].Value, namesAType, declared) is { } to && to != from && include(to))
                {
                    targets.Add(to);
                    edges.TryAdd(to, new SortedSet<string>(StringComparer.Ordinal));
                }
            }
        }

        return new NamespaceGraph(edges);
    }

    /// <summary>The namespaces that import <paramref name="target"/>.</summary>
    public IReadOnlyList<string> ImportersOf(string target) =>
        [.. _edges.Where(e => e.Value.Contains(target)).Select(e => e.Key)];

    /// <summary>Every cycle: each strongly connected group of two or more namespaces (Tarjan), sorted.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<IReadOnlyList<string>>();

        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in _edges[v])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var group = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    group.Add(w);
                }
                while (w != v);

                if (group.Count > 1)
                {
                    cycles.Add([.. group.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var v in _edges.Keys.Where(v => !index.ContainsKey(v)))
        {
            Visit(v);
        }

        return cycles;
    }

    /// <summary>One line per cycle, with the imports that close it: <c>A -&gt; B, B -&gt; A</c>.</summary>
    public string Describe(IReadOnlyList<IReadOnlyList<string>> cycles) => string.Join("\n", cycles.Select(group =>
        "cycle " + string.Join(" <-> ", group) + ": "
        + string.Join(", ", group.SelectMany(a => _edges[a].Where(group.Contains).Select(b => $"{a} -> {b}")))));

    /// <summary>The folder holding <paramref name="solution"/>, found by walking up from the test's folder.</summary>
    public static string RepositoryRoot(string solution = "GeoDns.sln")
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, solution)))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no folder above {TestContext.CurrentContext.TestDirectory} holds {solution}");
    }

    /// <summary>The declared namespace <paramref name="name"/> refers to: itself, or for a type the longest declared prefix.</summary>
    private static string? Resolve(string name, bool namesAType, HashSet<string> declared)
    {
        if (!namesAType)
        {
            return name;
        }

        for (int dot = name.LastIndexOf('.'); dot > 0; dot = name.LastIndexOf('.', dot - 1))
        {
            if (declared.Contains(name[..dot]))
            {
                return name[..dot];
            }
        }

        return null;
    }

    [GeneratedRegex(@"^\s*namespace\s+(?<name>[\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:(?<static>static)\s+)?(?:(?<alias>\w+)\s*=\s*)?(?<name>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingLines();
}
