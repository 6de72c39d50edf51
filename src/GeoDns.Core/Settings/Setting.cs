using System.Globalization;

namespace GeoDns.Core.Settings;

/// <summary>Reads a setting's text; returns an error text (without the key) or null.</summary>
public delegate string? SettingParser<T>(string text, out T value);

/// <summary>
/// One <c>key=value</c> setting of a zone-file line: its name, what it accepts and its default.
/// A policy or a checker declares its own settings as static fields and reads them back from
/// <see cref="SettingValues"/> with <see cref="SettingValues.Get{T}(Setting{T})"/>.
/// </summary>
public abstract class Setting
{
    private protected Setting(string name, string accepts)
    {
        Name = name;
        Accepts = accepts;
    }

    public string Name { get; }

    /// <summary>What the value may be, for error messages and docs (e.g. "an integer from 1 to 1000").</summary>
    public string Accepts { get; }

    internal abstract object? DefaultValue { get; }

    /// <summary>Parses <paramref name="text"/>; returns the full error message or null.</summary>
    internal abstract string? Parse(string text, out object? value);

    public static Setting<int> Integer(string name, int min, int max, int defaultValue) =>
        new(name, $"an integer from {min} to {max}", defaultValue, (string text, out int value) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max
                ? null : $"an integer from {min} to {max}");

    /// <summary>A duration such as 100ms, 2s, 1m or 1h (a bare number is seconds), at least <paramref name="min"/>.</summary>
    public static Setting<TimeSpan?> Duration(string name, TimeSpan min) =>
        new(name, "a duration (100ms, 2s, 1m, 1h)", null, (string text, out TimeSpan? value) =>
        {
            value = null;
            if (Durations.TryParse(text, out var d) is { } error)
            {
                return error;
            }

            if (d <= TimeSpan.Zero)
            {
                return "must be positive";
            }

            if (d < min)
            {
                return $"below the minimum of {Durations.Format(min)}";
            }

            value = d;
            return null;
        });

    public static Setting<bool> Boolean(string name, bool defaultValue) =>
        new(name, "true or false", defaultValue, (string text, out bool value) =>
        {
            value = text == "true";
            return text is "true" or "false" ? null : "true or false";
        });

    /// <summary>One of <paramref name="choices"/>.</summary>
    public static Setting<string> OneOf(string name, string defaultValue, params string[] choices) =>
        new(name, string.Join(", ", choices), defaultValue, (string text, out string value) =>
        {
            value = text;
            return choices.Contains(text, StringComparer.Ordinal) ? null : $"one of {string.Join(", ", choices)}";
        });

    /// <summary>Any text <paramref name="validate"/> accepts (it returns an error text or null).</summary>
    public static Setting<string?> Text(string name, string accepts, Func<string, string?>? validate = null) =>
        new(name, accepts, null, (string text, out string? value) =>
        {
            value = text;
            return validate?.Invoke(text);
        });

    public static Setting<T> Custom<T>(string name, string accepts, T defaultValue, SettingParser<T> parse) =>
        new(name, accepts, defaultValue, parse);
}

/// <summary>A setting whose parsed value is a <typeparamref name="T"/>.</summary>
public sealed class Setting<T> : Setting
{
    private readonly SettingParser<T> _parse;

    internal Setting(string name, string accepts, T defaultValue, SettingParser<T> parse)
        : base(name, accepts)
    {
        Default = defaultValue;
        _parse = parse;
    }

    public T Default { get; }

    internal override object? DefaultValue => Default;

    internal override string? Parse(string text, out object? value)
    {
        string? error = _parse(text, out var typed);
        value = typed;
        return error is null ? null : $"bad {Name} '{Shorten(text)}': {error}";
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..61] + "...";
}
