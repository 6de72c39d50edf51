namespace GeoDns.Cli;

/// <summary>
/// Turns <c>--option value</c> pairs into configuration keys. Options that may repeat
/// become indexed keys (<c>Dns:0</c>, <c>Dns:1</c>), as Microsoft.Extensions.Configuration binds lists.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, (string Key, bool Repeatable)> _options;

    public CommandLine(IEnumerable<(string Option, string Key, bool Repeatable)> options)
    {
        _options = options.ToDictionary(o => o.Option, o => (o.Key, o.Repeatable), StringComparer.Ordinal);
    }

    /// <summary>Positional arguments, in order.</summary>
    public List<string> Positional { get; } = [];

    public Dictionary<string, string?> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses <paramref name="args"/>; returns an error message, or null.</summary>
    public string? Parse(IReadOnlyList<string> args)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                Positional.Add(arg);
                continue;
            }

            string name = arg;
            string? value = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }

            if (!_options.TryGetValue(name, out var option))
            {
                return $"unknown option '{name}' (see 'geodns help')";
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    return $"option '{name}' needs a value";
                }

                value = args[++i];
            }

            if (option.Repeatable)
            {
                int n = counts.GetValueOrDefault(name);
                counts[name] = n + 1;
                Values[$"{option.Key}:{n}"] = value;
            }
            else
            {
                Values[option.Key] = value;
            }
        }

        return null;
    }
}
