namespace GeoDns.Core.Settings;

/// <summary>
/// The settings one part accepts (a check kind, a routing policy), with rules that relate
/// several of them (a timeout shorter than the interval). Reading reports every problem.
/// </summary>
public sealed class SettingsSchema
{
    private readonly Dictionary<string, Setting> _byName;
    private readonly Func<SettingValues, string?>[] _rules;

    public SettingsSchema(IEnumerable<Setting> settings, params Func<SettingValues, string?>[] rules)
    {
        _byName = new Dictionary<string, Setting>(StringComparer.Ordinal);
        foreach (var setting in settings)
        {
            if (!_byName.TryAdd(setting.Name, setting))
            {
                throw new ArgumentException($"setting '{setting.Name}' declared twice", nameof(settings));
            }
        }

        _rules = rules;
    }

    public static SettingsSchema Empty { get; } = new([]);

    /// <summary>The setting names, in declaration order.</summary>
    public IEnumerable<string> Names => _byName.Keys;

    public IEnumerable<Setting> Settings => _byName.Values;

    /// <summary>A schema with this one's settings and rules followed by <paramref name="other"/>'s.</summary>
    public SettingsSchema Combine(SettingsSchema other) =>
        new([.. _byName.Values, .. other._byName.Values], [.. _rules, .. other._rules]);

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Checks one value; returns the error message or null (an unknown key is an error).</summary>
    public string? Check(string key, string value) =>
        !_byName.TryGetValue(key, out var setting) ? $"unknown key '{key}' (use {string.Join(", ", Names)})"
            : setting.Parse(value, out _);

    /// <summary>
    /// Reads <paramref name="raw"/> into typed values. Every bad value, unknown key and broken
    /// rule is added to <paramref name="errors"/>; the values read are those that parsed.
    /// </summary>
    public SettingValues Read(IReadOnlyDictionary<string, string> raw, ICollection<string>? errors = null)
    {
        var parsed = new Dictionary<string, object?>(StringComparer.Ordinal);
        var kept = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, text) in raw)
        {
            if (!_byName.TryGetValue(key, out var setting))
            {
                errors?.Add($"unknown key '{key}' (use {string.Join(", ", Names)})");
                continue;
            }

            if (setting.Parse(text, out var value) is { } error)
            {
                errors?.Add(error);
                continue;
            }

            parsed[key] = value;
            kept[key] = text;
        }

        var values = new SettingValues(parsed, kept);
        foreach (var rule in _rules)
        {
            if (rule(values) is { } broken)
            {
                errors?.Add(broken);
            }
        }

        return values;
    }
}
