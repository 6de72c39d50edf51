using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GeoDns.Core.Health;
using GeoDns.Core.Health.Checks;
using Microsoft.Extensions.Logging;

namespace GeoDns.Health;

/// <summary>
/// <c>tcp-half-open</c>: up when the member's port answers a SYN with a SYN-ACK (a RST is a
/// refusal), through <see cref="SynProber"/>. Where that cannot run (no CAP_NET_RAW, not Linux)
/// and for IPv6 or named targets, it probes as <c>tcp</c> does, with a full connect: the verdict
/// means the same, only the cost differs. The first probe opens the raw socket and logs which of
/// the two it uses (so a server without such checks opens nothing).
/// </summary>
public sealed class HalfOpenChecker : IHealthChecker, IDisposable
{
    private readonly TcpChecker _connect = new();
    private readonly Lazy<SynProber?> _prober;

    /// <summary>Each target's route (a SYN route for IPv4 addresses) and result texts, made on its first probe (a reload makes new targets).</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ProbeTarget, Route> _routes = new();

    public HalfOpenChecker(ILogger<HalfOpenChecker>? logger = null)
        : this(useRawSockets: true, logger)
    {
    }

    /// <param name="useRawSockets">False probes with full connects only (as where raw sockets are not allowed).</param>
    /// <param name="logger">Told once which way probes go.</param>
    /// <param name="answerInline">False leaves every answer to the prober's receiving thread (tests of that path).</param>
    internal HalfOpenChecker(bool useRawSockets, ILogger<HalfOpenChecker>? logger, bool answerInline = true)
    {
        _prober = new Lazy<SynProber?>(() =>
        {
            string? unavailable = "raw sockets turned off";
            var prober = useRawSockets ? SynProber.TryOpen(out unavailable, answerInline) : null;
            if (prober is null)
            {
                logger?.LogWarning("tcp-half-open checks connect fully instead: {Reason}", unavailable);
            }
            else
            {
                logger?.LogInformation("tcp-half-open checks send SYNs from port {Port} (raw socket)", prober.Port);
            }

            return prober;
        });
    }

    public IReadOnlyCollection<CheckKind> Kinds { get; } = [TcpHalfOpenCheck.Kind];

    /// <summary>True when probes go out as SYNs (IPv4 address targets), false when they connect fully.</summary>
    internal bool HalfOpen => _prober.Value is not null;

    public Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken cancellationToken)
    {
        var route = _routes.GetValue(target, static t => Route.To(t));
        if (route.Syn is not { } syn || _prober.Value is not { } prober)
        {
            return _connect.ProbeAsync(target, cancellationToken);
        }

        // Not an async method: a probe answered within the send (a member on this host) costs no
        // state machine, only its result.
        long start = Stopwatch.GetTimestamp();
        try
        {
            var answering = prober.ProbeAsync(syn, cancellationToken);
            return answering.IsCompletedSuccessfully
                ? Task.FromResult(Result(route, answering.Result, Stopwatch.GetElapsedTime(start)))
                : WaitAsync(route, answering, start);
        }
        catch (SocketException e)
        {
            return Task.FromResult(Failed(syn, e, start));
        }
    }

    private static async Task<ProbeResult> WaitAsync(Route route, ValueTask<SynReply> answering, long start)
    {
        try
        {
            var reply = await answering.ConfigureAwait(false);
            return Result(route, reply, Stopwatch.GetElapsedTime(start));
        }
        catch (SocketException e)
        {
            return Failed(route.Syn!, e, start);
        }
    }

    private static ProbeResult Result(Route route, SynReply reply, TimeSpan elapsed) =>
        reply == SynReply.Open ? ProbeResult.Ok(elapsed, route.OpenText) : ProbeResult.Fail(elapsed, route.RefusedText);

    private static ProbeResult Failed(SynTarget syn, SocketException e, long start) =>
        ProbeResult.Fail(Stopwatch.GetElapsedTime(start), $"port {syn.Port}: {ProbeAddress.Describe(e)}");

    public void Dispose()
    {
        if (_prober.IsValueCreated)
        {
            _prober.Value?.Dispose();
        }
    }

    /// <summary>
    /// A target's SYN route (null for IPv6 and names, which connect fully) and its result texts,
    /// made once: the latency is in the result itself.
    /// </summary>
    private sealed record Route(SynTarget? Syn, string OpenText, string RefusedText)
    {
        public static Route To(ProbeTarget target)
        {
            int port = target.Settings.Port;
            var syn = IPAddress.TryParse(target.Address, out var address) && address.AddressFamily == AddressFamily.InterNetwork
                ? SynTo(address, port) : null;
            return new Route(syn, $"port {port} answered SYN-ACK", $"port {port}: connection refused");
        }

        /// <summary>The local address is the system's choice for the destination (a route lookup, no packet); null when there is no route yet.</summary>
        private static SynTarget? SynTo(IPAddress address, int port)
        {
            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Connect(new IPEndPoint(address, port));
                var local = ((IPEndPoint)udp.LocalEndPoint!).Address;
                return new SynTarget(Number(local), Number(address), (ushort)port, InlineConnect.NativeAddress(new IPEndPoint(address, 0)));
            }
            catch (SocketException)
            {
                return null; // unreachable now: the full connect says so, probe by probe
            }
        }

        private static uint Number(IPAddress address)
        {
            Span<byte> octets = stackalloc byte[4];
            address.TryWriteBytes(octets, out _);
            return BinaryPrimitives.ReadUInt32BigEndian(octets);
        }
    }
}
