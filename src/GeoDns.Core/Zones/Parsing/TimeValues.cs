namespace GeoDns.Core.Zones.Parsing;

/// <summary>TTL values with BIND-style units (check durations: <c>Settings.Durations</c>).</summary>
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
}
