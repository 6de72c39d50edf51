using GeoDns.Core.Health;

namespace GeoDns.Core.Health.Checks;

/// <summary><c>tcp</c>: a connection to <c>port=</c> (required) that completes in time.</summary>
public static class TcpCheck
{
    private static readonly Settings.Setting<int> Port = CheckKind.PortSetting(0);

    public static readonly CheckKind Kind = new("tcp", Port, [],
        values => values.IsSet(Port) ? null : "tcp checks need port=");
}
