using System.Globalization;

namespace GeoDns.Core.Settings;

/// <summary>Durations as settings write them: 100ms, 2s, 1m, 1h, or a bare number of seconds.</summary>
public static class Durations
{
    /// <summary>Returns an error text, or null with <paramref name="duration"/> set.</summary>
    public static string? TryParse(ReadOnlySpan<char> s, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        int i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        if (i == 0 || i > 9)
        {
            return "expected a number with a unit (ms, s, m, h)";
        }

        long n = long.Parse(s[..i], CultureInfo.InvariantCulture);
        var unit = s[i..];
        if (unit.Length == 0 || unit.Equals("s", StringComparison.OrdinalIgnoreCase))
        {
            duration = TimeSpan.FromSeconds(n);
        }
        else if (unit.Equals("ms", StringComparison.OrdinalIgnoreCase))
        {
            duration = TimeSpan.FromMilliseconds(n);
        }
        else if (unit.Equals("m", StringComparison.OrdinalIgnoreCase))
        {
            duration = TimeSpan.FromMinutes(n);
        }
        else if (unit.Equals("h", StringComparison.OrdinalIgnoreCase))
        {
            duration = TimeSpan.FromHours(n);
        }
        else
        {
            return $"unknown unit '{unit}' (use ms, s, m, h)";
        }

        return null;
    }

    public static string Format(TimeSpan t) =>
        t.TotalMilliseconds < 1000 || t.Milliseconds != 0
            ? $"{t.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms"
            : $"{t.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
}
