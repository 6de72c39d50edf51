using GeoDns.Core.Settings;

namespace GeoDns.Core.Health;

/// <summary>
/// A kind of health check as <c>$CHECK name KIND key=value...</c> names it, with the settings
/// it accepts: the common ones (<see cref="CheckSettings.Common"/>), its port if it has one,
/// and its own. A checker declares its kinds; the zone parser and <c>geodns check</c> validate
/// <c>$CHECK</c> and <c>MEMBER</c> lines against them.
/// </summary>
public sealed class CheckKind
{
    public CheckKind(string name, Setting<int>? port, IEnumerable<Setting> settings, params Func<SettingValues, string?>[] rules)
    {
        Name = name;
        Port = port;
        Own = new SettingsSchema(settings, rules);
        Settings = CheckSettings.Common.Combine(port is null ? Own : new SettingsSchema([port]).Combine(Own));
    }

    public string Name { get; }

    /// <summary>The <c>port=</c> setting with this kind's default, or null when the kind has no port (icmp).</summary>
    public Setting<int>? Port { get; }

    /// <summary>The settings only this kind has.</summary>
    public SettingsSchema Own { get; }

    /// <summary>Every setting a <c>$CHECK</c> line of this kind accepts.</summary>
    public SettingsSchema Settings { get; }

    /// <summary>A <c>port=</c> setting from 1 to 65535 with <paramref name="defaultPort"/> (0: the kind requires one).</summary>
    public static Setting<int> PortSetting(int defaultPort) => Setting.Integer("port", 1, 65535, defaultPort);

    public override string ToString() => Name;
}
