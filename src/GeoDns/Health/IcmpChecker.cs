using System.Diagnostics;
using System.Net.NetworkInformation;
using GeoDns.Core.Health;
using GeoDns.Core.Health.Checks;

namespace GeoDns.Health;

/// <summary>
/// <c>icmp</c>: up when the member answers an ICMP echo. Sending echo requests needs a raw or
/// ping socket: run as root, grant CAP_NET_RAW (<c>setcap cap_net_raw+ep</c> on the dotnet
/// host, or <c>AmbientCapabilities=CAP_NET_RAW</c> in the systemd unit), or allow the
/// service's group in <c>net.ipv4.ping_group_range</c>. Without any of them .NET falls back
/// to running the system <c>ping</c> binary per probe, which works but costs a process each time.
/// </summary>
public sealed class IcmpChecker : IHealthChecker
{
    private static readonly byte[] Payload = "geodns-health-check-0123456789ab"u8.ToArray();

    public IReadOnlyCollection<CheckKind> Kinds { get; } = [IcmpCheck.Kind];

    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            var address = await ProbeAddress.ResolveAsync(target.Address, cancellationToken).ConfigureAwait(false);
            using var ping = new Ping();
            var reply = await ping.SendPingAsync(address, target.Settings.Timeout, Payload, null, cancellationToken).ConfigureAwait(false);
            var latency = Stopwatch.GetElapsedTime(start);
            return reply.Status == IPStatus.Success
                ? ProbeResult.Ok(latency, $"echo reply in {reply.RoundtripTime} ms")
                : ProbeResult.Fail(latency, $"echo: {reply.Status}");
        }
        catch (Exception e) when (e is PingException or System.Net.Sockets.SocketException)
        {
            return ProbeResult.Fail(Stopwatch.GetElapsedTime(start), $"echo: {ProbeAddress.Describe(e)}");
        }
    }
}
