using System.Text.Json;
using System.Text.RegularExpressions;
using GeoDns.Cli;
using GeoDns.Tests.Cli;
using YamlDotNet.RepresentationModel;

namespace GeoDns.Tests.Deploy;

/// <summary>The repository's deployment files and docs, read the way the deploy and docs tests need them.</summary>
internal static partial class DeployFiles
{
    public static string Root { get; } = ProgramTests.RepositoryRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Every document of a YAML file, as dictionaries (string keys), lists and strings.</summary>
    public static List<object?> Yaml(string relative)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(Read(relative));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => Convert(d.RootNode))];
    }

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? string.Empty, kv => Convert(kv.Value), StringComparer.Ordinal),
        YamlSequenceNode list => list.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };

    /// <summary>The node at a dotted path of mapping keys (<c>spec.template.spec</c>), or null.</summary>
    public static object? At(object? node, string path)
    {
        foreach (var key in path.Split('.'))
        {
            if (node is not Dictionary<string, object?> map || !map.TryGetValue(key, out node))
            {
                return null;
            }
        }

        return node;
    }

    public static Dictionary<string, object?> Map(object? node, string path) =>
        At(node, path) as Dictionary<string, object?> ?? throw new AssertionException($"no mapping at {path}");

    public static List<object?> List(object? node, string path) =>
        At(node, path) as List<object?> ?? throw new AssertionException($"no list at {path}");

    public static string? Text(object? node, string path) => At(node, path) as string;

    public static List<string> Strings(object? node, string path) => [.. List(node, path).Select(o => o as string ?? throw new AssertionException($"{path} holds a non-string"))];

    /// <summary>
    /// Reads a <c>geodns serve</c> argument list (starting with <c>serve</c>) with the program's
    /// own option table; fails the test on an option the program does not have.
    /// </summary>
    public static Dictionary<string, string?> ServeSettings(IReadOnlyList<string> args, string where)
    {
        Assert.That(args, Is.Not.Empty, where);
        Assert.That(args[0], Is.EqualTo("serve"), where);
        bool parsed = ServeCommand.TryParse([.. args.Skip(1)], out var values, out string? error);
        Assert.That(parsed, Is.True, $"{where}: geodns {string.Join(' ', args)}: {error}");
        return values;
    }

    /// <summary>The keys <c>geodns serve</c> binds: the options' keys and every GeoDnsOptions property.</summary>
    public static HashSet<string> SettingKeys()
    {
        var keys = new HashSet<string>(ServeCommand.Options.Select(o => o.Key), StringComparer.OrdinalIgnoreCase);
        keys.UnionWith(typeof(Hosting.GeoDnsOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name));
        keys.Remove("ConfigFile"); // names the file; not a key inside one
        keys.Add("Logging");
        return keys;
    }

    /// <summary>Parses the text of a JSON settings file and checks every key is one GeoDns binds.</summary>
    public static void AssertKnownSettings(string json, string where)
    {
        using var doc = JsonDocument.Parse(json);
        var known = SettingKeys();
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            Assert.That(known, Does.Contain(property.Name), $"{where}: '{property.Name}' is not a setting of geodns serve");
        }
    }

    public static int FreeTcpPort() => LoopbackPorts.FreeTcpPort();

    /// <summary>A port free for both UDP and TCP on 127.0.0.1 (as far as one can tell before binding).</summary>
    public static int FreeDnsPort() => LoopbackPorts.FreeDnsPort();

    [GeneratedRegex(@"^(?:(?<host>[^:\[\]]+|\[[^\]]+\]):)?(?<port>\d+)$")]
    private static partial Regex HostPort();

    /// <summary>The port of <c>ADDR:PORT</c> or <c>[V6]:PORT</c>.</summary>
    public static int PortOf(string endpoint)
    {
        var match = HostPort().Match(endpoint);
        Assert.That(match.Success, Is.True, $"'{endpoint}' is not ADDR:PORT");
        return int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string HostOf(string endpoint) => HostPort().Match(endpoint).Groups["host"].Value;
}

/// <summary>The instructions of a Dockerfile's last (runtime) stage, and the whole file's.</summary>
internal sealed class Dockerfile
{
    private Dockerfile(List<(string Instruction, string Arguments)> all, List<(string Instruction, string Arguments)> runtime)
    {
        All = all;
        Runtime = runtime;
    }

    public List<(string Instruction, string Arguments)> All { get; }

    public List<(string Instruction, string Arguments)> Runtime { get; }

    public static Dockerfile Parse(string text)
    {
        var all = new List<(string, string)>();
        var pending = new System.Text.StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (pending.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending.Append(line[..^1]).Append(' ');
                continue;
            }

            pending.Append(line);
            var joined = pending.ToString().Trim();
            pending.Clear();
            int space = joined.IndexOf(' ', StringComparison.Ordinal);
            all.Add((joined[..space].ToUpperInvariant(), joined[(space + 1)..].Trim()));
        }

        int lastFrom = all.FindLastIndex(i => i.Item1 == "FROM");
        return new Dockerfile(all, all.Skip(lastFrom).ToList());
    }

    public IEnumerable<string> Runtimes(string instruction) => Runtime.Where(i => i.Instruction == instruction).Select(i => i.Arguments);

    /// <summary>The runtime stage's ENV values (KEY=VALUE pairs).</summary>
    public Dictionary<string, string> Environment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arguments in Runtimes("ENV"))
        {
            foreach (var pair in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = pair.IndexOf('=', StringComparison.Ordinal);
                Assert.That(equals, Is.GreaterThan(0), $"ENV {arguments}: use KEY=VALUE");
                env[pair[..equals]] = pair[(equals + 1)..];
            }
        }

        return env;
    }

    /// <summary>EXPOSE'd ports as <c>53/udp</c>, <c>8053/tcp</c>.</summary>
    public HashSet<string> Exposed() => new(
        Runtimes("EXPOSE").SelectMany(a => a.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => p.Contains('/', StringComparison.Ordinal) ? p.ToLowerInvariant() : p + "/tcp"),
        StringComparer.Ordinal);

    /// <summary>An exec-form instruction (<c>["a", "b"]</c>) of the runtime stage.</summary>
    public List<string> ExecForm(string instruction)
    {
        var text = Runtimes(instruction).Last();
        return JsonSerializer.Deserialize<List<string>>(text) ?? throw new AssertionException($"{instruction} is not a JSON array");
    }
}
