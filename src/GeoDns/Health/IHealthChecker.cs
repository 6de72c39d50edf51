using System.Net;
using System.Net.Sockets;
using GeoDns.Core.Health;

namespace GeoDns.Health;

/// <summary>
/// Runs one kind of liveness probe (the kind named on <c>$CHECK</c>). A probe never throws for
/// a dead target: it returns a failed <see cref="ProbeResult"/>. The caller's token carries the
/// check's timeout; a checker may let <see cref="OperationCanceledException"/> escape on it.
/// </summary>
public interface IHealthChecker
{
    /// <summary>The check kinds this checker runs, each with the settings it reads (see <see cref="CheckKind"/>).</summary>
    IReadOnlyCollection<CheckKind> Kinds { get; }

    Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the probe's code path once against something local, so that the first real probes
    /// (and their short timeouts) do not pay for JIT compilation at start-up.
    /// </summary>
    Task WarmUpAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// <paramref name="target"/> is probed no more (a reload replaced it, or its runner stopped):
    /// a checker that keeps something per target between probes (an open connection) lets it go.
    /// </summary>
    void Forget(ProbeTarget target)
    {
    }
}

/// <summary>Helpers every checker uses: where to connect and how to word an error.</summary>
public static class ProbeAddress
{
    /// <summary>The probe's address: a literal as is, a host name (CNAME members) resolved now, IPv4 first.</summary>
    public static async ValueTask<IPAddress> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(address, out var literal))
        {
            return literal;
        }

        var addresses = await Dns.GetHostAddressesAsync(address.TrimEnd('.'), cancellationToken).ConfigureAwait(false);
        return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>The most specific message in an exception chain (socket errors over HTTP wrappers).</summary>
    public static string Describe(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.TimedOut => "connect timed out",
                    SocketError.HostNotFound => "host not found",
                    SocketError.NetworkUnreachable or SocketError.HostUnreachable => "unreachable",
                    SocketError.ConnectionReset => "connection reset",
                    var code => $"socket error {code}",
                };
            }
        }

        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost == e ? e.Message : $"{e.Message} ({innermost.Message})";
    }

    /// <summary>
    /// A TCP socket for one probe. It closes with a reset (linger 0), as HAProxy's checks do: no
    /// FIN exchange and no TIME_WAIT entry per probe, which at thousands of probes a second would
    /// cost CPU on both ends and tie up ephemeral ports for a minute each.
    /// </summary>
    public static Socket NewSocket(AddressFamily family) =>
        new(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0) };

    public static string Milliseconds(TimeSpan t) => $"{t.TotalMilliseconds:0.#} ms";
}
