using System.Net;
using System.Net.Sockets;

namespace GeoDns.Health;

/// <summary>
/// Half-open probes over IPv4: a SYN from a raw socket, and the member's answer (SYN-ACK or RST)
/// read back from it. The system's own TCP stack answers the SYN-ACK with a reset (no socket of
/// ours matches it), so no connection is ever made: no socket, no accept on the member, and none
/// of the connection set-up and tear-down a full connect costs both ends (on loopback a third of
/// it; bench/README.md, "Half-open probes"). Every SYN leaves from one local port, held by a
/// bound socket so nothing else on the system uses it; a probe is known by the (random) sequence
/// number its answer acknowledges, checked against the member's address and port.
/// A member on this host answers within the send: the sender reads the answer at once and the
/// probe completes without waiting. Answers that come later are read by one thread, which runs
/// only while some probe is waiting for one.
/// </summary>
internal sealed class SynProber : IDisposable
{
    private readonly int _fd;
    private readonly Socket _portHold;
    private readonly ushort _port;
    private readonly Lock _lock = new();
    private readonly Dictionary<uint, SynTarget> _pending = [];
    private readonly AutoResetEvent _wake = new(false);
    private readonly bool _answerInline;
    private int _waiting;
    private volatile bool _disposed;

    private SynProber(int fd, Socket portHold, ushort port, bool answerInline)
    {
        _answerInline = answerInline;
        _fd = fd;
        _portHold = portHold;
        _port = port;
        new Thread(ReceiveLoop) { IsBackground = true, Name = "half-open probes" }.Start();
    }

    /// <summary>The local port every SYN leaves from.</summary>
    public ushort Port => _port;

    /// <summary>A prober, or null with the reason when raw sockets cannot be used here (not Linux, no CAP_NET_RAW).</summary>
    /// <param name="unavailable">Why not, in a line.</param>
    /// <param name="answerInline">False leaves every answer to the receiving thread (tests of that path).</param>
    public static SynProber? TryOpen(out string? unavailable, bool answerInline = true)
    {
        if (!OperatingSystem.IsLinux())
        {
            unavailable = "raw sockets are used on Linux only";
            return null;
        }

        var hold = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            hold.Bind(new IPEndPoint(IPAddress.Any, 0));
            ushort port = (ushort)((IPEndPoint)hold.LocalEndPoint!).Port;
            int fd = RawTcpSocket.Open(port, out int error);
            if (fd < 0)
            {
                unavailable = error is 1 or 13
                    ? "a raw socket needs CAP_NET_RAW (root, setcap cap_net_raw+ep, or AmbientCapabilities=CAP_NET_RAW)"
                    : $"no raw socket ({ProbeSyscalls.Error(error).Message})";
                hold.Dispose();
                return null;
            }

            unavailable = null;
            return new SynProber(fd, hold, port, answerInline);
        }
        catch (SocketException e)
        {
            hold.Dispose();
            unavailable = $"no local port for half-open probes ({e.Message})";
            return null;
        }
    }

    /// <summary>
    /// Sends a SYN to <paramref name="target"/> and returns the answer; a <see cref="SocketException"/>
    /// when it cannot be sent, cancellation when none came in time. One probe per target at a time
    /// (its runner's): a probe answered within the send allocates nothing here.
    /// </summary>
    public ValueTask<SynReply> ProbeAsync(SynTarget target, CancellationToken cancellationToken)
    {
        uint sequence;
        lock (_lock)
        {
            // A random sequence number per probe: an answer forged from off the path has to guess
            // it (and the port and the member's address) to pass for the member's.
            do
            {
                sequence = (uint)Random.Shared.NextInt64(1, 1L << 32);
            }
            while (!_pending.TryAdd(sequence, target));

            target.Sequence = sequence;
            target.Reply = SynReply.None;
            target.Waiter = null;
        }

        Span<byte> syn = stackalloc byte[SynSegment.Length];
        SynSegment.WriteSyn(syn, target.Source, _port, target.Destination, target.Port, sequence);
        int error = RawTcpSocket.SendTo(_fd, syn, target.NativeDestination);
        if (error != 0)
        {
            Forget(sequence);
            throw ProbeSyscalls.Error(error);
        }

        if (_answerInline)
        {
            Drain(target);
        }

        TaskCompletionSource<SynReply> waiter;
        lock (_lock)
        {
            if (target.Reply != SynReply.None)
            {
                return new ValueTask<SynReply>(target.Reply);
            }

            waiter = target.Waiter = new TaskCompletionSource<SynReply>();
        }

        Interlocked.Increment(ref _waiting);
        _wake.Set();
        return WaitAsync(sequence, waiter, cancellationToken);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _wake.Set();
        RawTcpSocket.Close(_fd);
        _portHold.Dispose();
    }

    private async ValueTask<SynReply> WaitAsync(uint sequence, TaskCompletionSource<SynReply> waiter, CancellationToken cancellationToken)
    {
        try
        {
            using (cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var (prober, sequence, waiter) = ((SynProber, uint, TaskCompletionSource<SynReply>))state!;
                prober.Forget(sequence);
                waiter.TrySetCanceled(token);
            }, (this, sequence, waiter)))
            {
                return await waiter.Task.ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private void Forget(uint sequence)
    {
        lock (_lock)
        {
            _pending.Remove(sequence);
        }
    }

    /// <summary>
    /// Reads queued answers and completes the probes they answer (on this thread): all of them, or
    /// up to <paramref name="until"/>'s (on loopback the one queued, so no read ends empty-handed).
    /// </summary>
    private void Drain(SynTarget? until = null)
    {
        Span<byte> packet = stackalloc byte[RawTcpSocket.Snap];
        int length;
        while ((until is null || until.Reply == SynReply.None) && (length = RawTcpSocket.Receive(_fd, packet)) > 0)
        {
            var reply = SynSegment.Read(packet[..length], out uint from, out ushort fromPort, out ushort toPort, out uint sequence);
            if (reply == SynReply.None || toPort != _port)
            {
                continue;
            }

            TaskCompletionSource<SynReply>? waiter = null;
            lock (_lock)
            {
                // Only the member probed may answer: a stray or forged segment leaves the probe waiting.
                if (_pending.TryGetValue(sequence, out var target) && target.Sequence == sequence
                    && target.Destination == from && target.Port == fromPort)
                {
                    _pending.Remove(sequence);
                    target.Reply = reply;
                    waiter = target.Waiter;
                }
            }

            waiter?.TrySetResult(reply);
        }
    }

    private void ReceiveLoop()
    {
        while (!_disposed)
        {
            if (Volatile.Read(ref _waiting) == 0)
            {
                _wake.WaitOne();
                continue;
            }

            RawTcpSocket.WaitReadable(_fd, 100);
            if (!_disposed)
            {
                Drain();
            }
        }
    }
}
