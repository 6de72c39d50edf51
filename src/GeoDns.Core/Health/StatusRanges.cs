using System.Globalization;

namespace GeoDns.Core.Health;

/// <summary>HTTP status codes a check accepts, written as <c>200</c>, <c>200-299</c> or a comma list of both.</summary>
public sealed class StatusRanges : IEquatable<StatusRanges>
{
    private readonly (int Low, int High)[] _ranges;

    private StatusRanges(string text, (int Low, int High)[] ranges)
    {
        Text = text;
        _ranges = ranges;
    }

    /// <summary>Any 2xx or 3xx answer: a redirect still proves the server is alive.</summary>
    public static StatusRanges Default { get; } = Parse("200-399");

    public string Text { get; }

    public bool Contains(int status)
    {
        foreach (var (low, high) in _ranges)
        {
            if (status >= low && status <= high)
            {
                return true;
            }
        }

        return false;
    }

    public static StatusRanges Parse(string text) =>
        TryParse(text, out var ranges) ? ranges : throw new FormatException($"bad status list '{text}'");

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StatusRanges? result)
    {
        result = null;
        var ranges = new List<(int, int)>();
        foreach (var part in text.Split(','))
        {
            var bounds = part.Trim().Split('-');
            if (bounds.Length > 2 || !TryStatus(bounds[0], out int low))
            {
                return false;
            }

            int high = low;
            if (bounds.Length == 2 && (!TryStatus(bounds[1], out high) || high < low))
            {
                return false;
            }

            ranges.Add((low, high));
        }

        result = new StatusRanges(text, [.. ranges]);
        return true;
    }

    public bool Equals(StatusRanges? other) => other is not null && other.Text == Text;

    public override bool Equals(object? obj) => obj is StatusRanges other && Equals(other);

    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Text;

    private static bool TryStatus(string s, out int status) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out status) && status is >= 100 and <= 599;
}
