namespace GeoDns.Core.Settings;

/// <summary>
/// Typed values read by a <see cref="SettingsSchema"/>. Equal when the same keys were written
/// with the same text, so a reload can tell an unchanged configuration from a changed one.
/// </summary>
public sealed class SettingValues : IEquatable<SettingValues>
{
    private readonly Dictionary<string, object?> _parsed;
    private readonly SortedDictionary<string, string> _written;

    internal SettingValues(Dictionary<string, object?> parsed, SortedDictionary<string, string> written)
    {
        _parsed = parsed;
        _written = written;
    }

    public static SettingValues None { get; } = new([], []);

    /// <summary>The keys written, with their text.</summary>
    public IReadOnlyDictionary<string, string> Written => _written;

    /// <summary>The written value, or the setting's default.</summary>
    public T Get<T>(Setting<T> setting) =>
        _parsed.TryGetValue(setting.Name, out var value) ? (T)value! : setting.Default;

    public bool IsSet(Setting setting) => _parsed.ContainsKey(setting.Name);

    public bool Equals(SettingValues? other) =>
        other is not null && _written.Count == other._written.Count && _written.All(kv =>
            other._written.TryGetValue(kv.Key, out var text) && text == kv.Value);

    public override bool Equals(object? obj) => Equals(obj as SettingValues);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var (key, text) in _written)
        {
            hash.Add(key);
            hash.Add(text);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(' ', _written.Select(kv => $"{kv.Key}={kv.Value}"));
}
