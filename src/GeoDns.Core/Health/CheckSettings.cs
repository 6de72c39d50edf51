using System.Net;
using GeoDns.Core.Settings;

namespace GeoDns.Core.Health;

/// <summary>
/// A check's settings for one member: the <c>$CHECK</c> keys with the member's own overrides on
/// top, typed for the health model (interval, timeout, rise, fall, quorum, port, target), and
/// every value as its kind read it in <see cref="Options"/>. Value equality, so a reload can
/// tell an unchanged check from a changed one.
/// </summary>
public sealed record CheckSettings
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    public static readonly Setting<TimeSpan?> IntervalSetting = Setting.Duration("interval", MinInterval);
    public static readonly Setting<TimeSpan?> TimeoutSetting = Setting.Duration("timeout", TimeSpan.FromMilliseconds(1));
    public static readonly Setting<int> RiseSetting = Setting.Integer("rise", 1, 1000, 2);
    public static readonly Setting<int> FallSetting = Setting.Integer("fall", 1, 1000, 2);

    public static readonly Setting<Quorum> QuorumSetting = Setting.Custom("quorum", "any, majority or all", Quorum.Majority,
        (string text, out Quorum value) =>
        {
            value = text switch { "any" => Quorum.Any, "all" => Quorum.All, _ => Quorum.Majority };
            return text is "any" or "majority" or "all" ? null : "any, majority or all";
        });

    public static readonly Setting<string?> TargetSetting = Setting.Text("target", "a host name or address", HostOrAddress);

    /// <summary>The settings every kind accepts, and the rule that binds interval and timeout.</summary>
    public static readonly SettingsSchema Common = new(
        [IntervalSetting, TimeoutSetting, RiseSetting, FallSetting, QuorumSetting, TargetSetting],
        values => values.Get(IntervalSetting) is { } i && values.Get(TimeoutSetting) is { } t && t >= i
            ? $"timeout {values.Written["timeout"]} must be shorter than interval {values.Written["interval"]}"
            : null);

    /// <summary>The kind that runs it (http, https, tcp, icmp, dns, or one a checker added).</summary>
    public required string Kind { get; init; }

    /// <summary>0 for checks without a port (icmp).</summary>
    public int Port { get; init; }

    public TimeSpan Interval { get; init; } = DefaultInterval;

    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public int Rise { get; init; } = 2;

    public int Fall { get; init; } = 2;

    public Quorum Quorum { get; init; } = Quorum.Majority;

    /// <summary>Address or host name to probe instead of the member's own target.</summary>
    public string? Target { get; init; }

    /// <summary>Every written value, read by the kind's schema: checkers take their own keys from here.</summary>
    public SettingValues Options { get; init; } = SettingValues.None;

    /// <summary>The value of one of the kind's settings (written, else its default).</summary>
    public T Get<T>(Setting<T> setting) => Options.Get(setting);

    /// <summary>
    /// Reads <paramref name="settings"/> (a check's keys with a member's on top) for
    /// <paramref name="kind"/>. Every problem goes to <paramref name="errors"/>.
    /// </summary>
    public static CheckSettings Read(CheckKind kind, IReadOnlyDictionary<string, string> settings, ICollection<string> errors)
    {
        var values = kind.Settings.Read(settings, errors);
        var interval = values.Get(IntervalSetting) ?? DefaultInterval;

        // An unwritten timeout fits the interval; a written one never outlasts it.
        var timeout = values.Get(TimeoutSetting) ?? Min(DefaultTimeout, interval * 0.75);
        return new CheckSettings
        {
            Kind = kind.Name,
            Port = kind.Port is { } port ? values.Get(port) : 0,
            Interval = interval,
            Timeout = Min(timeout, interval),
            Rise = values.Get(RiseSetting),
            Fall = values.Get(FallSetting),
            Quorum = values.Get(QuorumSetting),
            Target = values.Get(TargetSetting),
            Options = values,
        };
    }

    /// <summary>Reads the settings and throws on the first problem (for callers that build settings in code).</summary>
    /// <exception cref="FormatException">A value does not parse.</exception>
    public static CheckSettings Parse(CheckKind kind, IReadOnlyDictionary<string, string> settings)
    {
        var errors = new List<string>();
        var result = Read(kind, settings, errors);
        return errors.Count == 0 ? result : throw new FormatException(string.Join("; ", errors));
    }

    internal static string? HostOrAddress(string value) =>
        IPAddress.TryParse(value, out _) || Uri.CheckHostName(value) == UriHostNameType.Dns ? null : "a host name or address";

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
