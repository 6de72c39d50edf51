namespace GeoDns.Core.Zones.Parsing;

/// <summary>TTL values with BIND-style units and check durations (100ms, 2s, 1m).</summary>
internal static class TimeValues
{
    public const uint MaxTtl = int.MaxValue;

    /// <summary>Seconds, or units s/m/h/d/w (case-insensitive, e.g. 1h30m). Returns an error text or null.</summary>
    public static string? TryParseTtl(ReadOnlySpan<char> s, out ulong seconds)
    {
        seconds = 0;
        if (s.Length == 0)
        {
            return "empty value";
        }

        ulong number = 0;
        bool haveDigits = false;
        bool haveUnit = false;
        foreach (char c in s)
        {
            if (char.IsAsciiDigit(c))
            {
                number = (number * 10) + (uint)(c - '0');
                haveDigits = true;
                if (number > uint.MaxValue * 10UL)
                {
                    return "number too large";
                }

                continue;
            }

            ulong unit = char.ToLowerInvariant(c) switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                'w' => 604800,
                _ => 0,
            };
            if (unit == 0)
            {
                return $"unexpected '{c}' (use seconds or units s, m, h, d, w)";
            }

            if (!haveDigits)
            {
                return "a unit must follow a number";
            }

            seconds += number * unit;
            number = 0;
            haveDigits = false;
            haveUnit = true;
            if (seconds > uint.MaxValue * 10UL)
            {
                return "number too large";
            }
        }

        if (haveDigits)
        {
            if (haveUnit)
            {
                return "a number after a unit needs its own unit";
            }

            seconds = number;
        }

        return null;
    }

    /// <summary>A duration like 100ms, 2s, 1m, 1h (or plain seconds). Returns an error text or null.</summary>
    public static string? TryParseDuration(ReadOnlySpan<char> s, out TimeSpan duration)
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

        long n = long.Parse(s[..i], System.Globalization.CultureInfo.InvariantCulture);
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
}
