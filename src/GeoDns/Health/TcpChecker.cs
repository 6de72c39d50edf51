using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core.Health;
using GeoDns.Core.Health.Checks;

namespace GeoDns.Health;

/// <summary>
/// <c>tcp</c>: up when a TCP connection to the member's port opens. On Linux a literal address
/// is connected through <see cref="InlineConnect"/>, which finishes most probes within the call.
/// </summary>
public sealed class TcpChecker : IHealthChecker
{
    /// <summary>Each literal-address target's native socket address, made on its first probe (a reload makes new targets).</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ProbeTarget, byte[]> _nativeAddresses = new();

    public IReadOnlyCollection<CheckKind> Kinds { get; } = [TcpCheck.Kind];

    public async Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            if (InlineConnect.IsSupported && IPAddress.TryParse(target.Address, out _))
            {
                var native = _nativeAddresses.GetValue(target, static t => InlineConnect.NativeAddress(new IPEndPoint(IPAddress.Parse(t.Address), t.Settings.Port)));
                var connecting = InlineConnect.ConnectAndResetAsync(native, cancellationToken);
                if (!connecting.IsCompletedSuccessfully)
                {
                    await connecting.ConfigureAwait(false);
                }

                var elapsed = Stopwatch.GetElapsedTime(start);
                return ProbeResult.Ok(elapsed, $"connected to port {target.Settings.Port} in {ProbeAddress.Milliseconds(elapsed)}");
            }

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
