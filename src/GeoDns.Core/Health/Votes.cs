using System.Globalization;

namespace GeoDns.Core.Health;

/// <summary>One instance's verdict on one member, stamped with when that instance last asserted it.</summary>
public readonly record struct Vote(string Instance, HealthStatus Status, DateTimeOffset At)
{
    /// <summary>The stored form, <c>status|unix-ms</c> (for example <c>up|1767225600000</c>).</summary>
    public string Encode() =>
        string.Concat(StatusText(Status), "|", At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

    /// <summary>Reads <see cref="Encode"/>'s form; false for anything else (a foreign or corrupt value is ignored).</summary>
    public static bool TryDecode(string instance, string? text, out Vote vote)
    {
        vote = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        int bar = text.IndexOf('|', StringComparison.Ordinal);
        if (bar <= 0 || !TryParseStatus(text.AsSpan(0, bar), out var status)
            || !long.TryParse(text.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long ms)
            || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        vote = new Vote(instance, status, DateTimeOffset.FromUnixTimeMilliseconds(ms));
        return true;
    }

    public static string StatusText(HealthStatus status) => status switch
    {
        HealthStatus.Up => "up",
        HealthStatus.Down => "down",
        _ => "unknown",
    };

    public static bool TryParseStatus(ReadOnlySpan<char> text, out HealthStatus status)
    {
        status = text switch
        {
            "up" => HealthStatus.Up,
            "down" => HealthStatus.Down,
            "unknown" => HealthStatus.Unknown,
            _ => (HealthStatus)(-1),
        };
        return (int)status >= 0;
    }
}

/// <summary>
/// Combines instances' votes into one verdict. Only votes with a verdict (up or down) that are
/// still fresh count, so an instance that stopped voting ages out. The shared store does not judge
/// freshness by the stamps (<see cref="IsFresh"/>): <see cref="VoteTable"/> ages other instances'
/// votes on this instance's own clock from when it last saw them refreshed, and uses
/// <see cref="Combine(int, int, Quorum)"/>.
/// </summary>
public static class VoteCombiner
{
    /// <summary>How long a vote stays fresh: three check intervals (at least one second).</summary>
    public static TimeSpan Freshness(TimeSpan interval)
    {
        var window = interval * 3;
        return window < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : window;
    }

    /// <summary>
    /// True when <paramref name="vote"/>'s own stamp is within <paramref name="maxAge"/> of <paramref name="now"/>
    /// (a vote stamped in the future counts). Only meaningful for stamps written on the same clock as
    /// <paramref name="now"/>; votes from other instances are aged by <see cref="VoteTable"/> instead.
    /// </summary>
    public static bool IsFresh(Vote vote, DateTimeOffset now, TimeSpan maxAge) =>
        vote.Status != HealthStatus.Unknown && now - vote.At <= maxAge;

    /// <summary>The verdict of the fresh votes among <paramref name="votes"/>; <see cref="HealthStatus.Unknown"/> when none is fresh.</summary>
    public static HealthStatus Combine(IEnumerable<Vote> votes, Quorum quorum, DateTimeOffset now, TimeSpan maxAge)
    {
        int up = 0, down = 0;
        foreach (var vote in votes)
        {
            if (!IsFresh(vote, now, maxAge))
            {
                continue;
            }

            if (vote.Status == HealthStatus.Up)
            {
                up++;
            }
            else
            {
                down++;
            }
        }

        return Combine(up, down, quorum);
    }

    /// <summary>
    /// The verdict from counts of fresh up and down votes.
    /// <list type="bullet">
    /// <item><c>any</c>: up when at least one instance sees it up (down only when all agree).</item>
    /// <item><c>all</c>: up only when every voter sees it up (one down vote takes it out).</item>
    /// <item><c>majority</c>: down when more than half the voters see it down; a tie stays up,
    /// so one vantage point's network trouble cannot withdraw a member that half the fleet reaches.</item>
    /// </list>
    /// </summary>
    public static HealthStatus Combine(int up, int down, Quorum quorum)
    {
        if (up + down == 0)
        {
            return HealthStatus.Unknown;
        }

        bool isDown = quorum switch
        {
            Quorum.Any => up == 0,
            Quorum.All => down > 0,
            _ => down * 2 > up + down,
        };
        return isDown ? HealthStatus.Down : HealthStatus.Up;
    }
}
