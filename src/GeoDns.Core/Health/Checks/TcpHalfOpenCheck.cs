using GeoDns.Core.Health;

namespace GeoDns.Core.Health.Checks;

/// <summary>
/// <c>tcp-half-open</c>: the member's <c>port=</c> (required) answers a SYN with a SYN-ACK in time.
/// No connection is ever made: the prober's own system answers the SYN-ACK with a reset.
/// </summary>
public static class TcpHalfOpenCheck
{
    private static readonly Settings.Setting<int> Port = CheckKind.PortSetting(0);

    public static readonly CheckKind Kind = new("tcp-half-open", Port, [],
        values => values.IsSet(Port) ? null : "tcp-half-open checks need port=");
}
