using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core.Health;
using GeoDns.Core.Health.Checks;

namespace GeoDns.Health;

/// <summary><c>tcp</c>: up when a TCP connection to the member's port opens.</summary>
public sealed class TcpChecker : IHealthChecker
{
    public IReadOnlyCollection<CheckKind> Kinds { get; } = [TcpCheck.Kind];

    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            var address = await ProbeAddress.ResolveAsync(target.Address, cancellationToken).ConfigureAwait(false);
            using var socket = ProbeAddress.NewSocket(address.AddressFamily);
            await socket.ConnectAsync(new IPEndPoint(address, target.Settings.Port), cancellationToken).ConfigureAwait(false);
            var latency = Stopwatch.GetElapsedTime(start);
            return ProbeResult.Ok(latency, $"connected to port {target.Settings.Port} in {ProbeAddress.Milliseconds(latency)}");
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail(Stopwatch.GetElapsedTime(start), $"port {target.Settings.Port}: {ProbeAddress.Describe(e)}");
        }
    }
}
