using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace GeoDns.Health;

/// <summary>
/// One probe's TCP connection on a raw descriptor (Linux x64): no <see cref="Socket"/> object, no
/// socket-engine registration. Connect, send and receive are tried at once (on loopback they
/// usually succeed within the call); when the kernel says "not yet" the connection waits on the
/// <see cref="ReadinessLoop"/> and the probe continues on the loop's thread. The probe's token
/// (its timeout) is registered once per probe and ends the wait in progress. Disposing closes the
/// descriptor with a reset; every path that opened one disposes it, or keeps it for the next probe
/// (http <c>keepalive</c>), which rebinds it to its own token.
/// </summary>
internal sealed class NativeProbeConnection : IProbeConnection, IValueTaskSource
{
    private readonly ReadinessLoop _loop;
    private readonly long _id;
    private CancellationToken _cancellationToken;
    private CancellationTokenRegistration _registration;
    private ManualResetValueTaskSourceCore<bool> _wait;
    private int _fd;
    private bool _added;

    /// <summary>1 while a wait is armed; whoever swaps it to 0 (readiness or cancellation) completes the wait.</summary>
    private int _waiting;

    private NativeProbeConnection(ReadinessLoop loop, int fd, CancellationToken cancellationToken)
    {
        _loop = loop;
        _fd = fd;
        _id = loop.Add(this);
        Rebind(cancellationToken);
    }

    /// <summary>A new non-blocking socket of <paramref name="family"/> (<see cref="ProbeSyscalls.AfInet"/> or <see cref="ProbeSyscalls.AfInet6"/>).</summary>
    public static NativeProbeConnection Open(ReadinessLoop loop, int family, CancellationToken cancellationToken)
    {
        int fd = ProbeSyscalls.OpenResettingSocket(family, out int error);
        return fd < 0 ? throw ProbeSyscalls.Error(error) : new NativeProbeConnection(loop, fd, cancellationToken);
    }

    /// <summary>Takes over <paramref name="fd"/>, a non-blocking socket (its connect perhaps under way): disposing closes it.</summary>
    public static NativeProbeConnection Adopt(ReadinessLoop loop, int fd, CancellationToken cancellationToken) => new(loop, fd, cancellationToken);

    /// <summary>The address family of a native socket address made by <see cref="InlineConnect.NativeAddress"/>.</summary>
    public static int FamilyOf(byte[] nativeAddress) => nativeAddress.Length == 28 ? ProbeSyscalls.AfInet6 : ProbeSyscalls.AfInet;

    /// <summary>Connects to <paramref name="nativeAddress"/>; throws <see cref="SocketException"/> when that fails.</summary>
    public ValueTask ConnectAsync(byte[] nativeAddress)
    {
        int error = ProbeSyscalls.Connect(_fd, nativeAddress);
        return error == 0 ? ValueTask.CompletedTask
            : error == ProbeSyscalls.EInProgress ? ConnectedAsync()
            : throw ProbeSyscalls.Error(error);
    }

    /// <summary>Sends all of <paramref name="data"/> (a send on a socket still connecting waits for the connect).</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data)
    {
        int sent = ProbeSyscalls.Send(_fd, data.Span, out int error);
        return sent == data.Length ? ValueTask.CompletedTask : SendRestAsync(data, Math.Max(sent, 0), error);
    }

    /// <summary>Bytes read into <paramref name="into"/>, 0 at the end of the stream.</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> into)
    {
        int read = ProbeSyscalls.Receive(_fd, into.Span, out int error);
        return read >= 0 ? new ValueTask<int>(read) : ReceiveAfterWaitAsync(into, error);
    }

    public void Rebind(CancellationToken cancellationToken)
    {
        _registration.Unregister();
        _registration = default;
        _cancellationToken = cancellationToken;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static s => ((NativeProbeConnection)s!).OnCancel(), this);
        }
    }

    public void Dispose()
    {
        if (_fd < 0)
        {
            return;
        }

        _registration.Unregister();
        Volatile.Write(ref _waiting, 0);
        _loop.Remove(_id);
        ProbeSyscalls.Close(_fd);
        _fd = -1;
    }

    /// <summary>The loop saw the armed readiness.</summary>
    internal void OnReady()
    {
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _wait.SetResult(true);
        }
    }

    private void OnCancel()
    {
        if (Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            _wait.SetException(new OperationCanceledException(_cancellationToken));
        }
    }

    /// <summary>Waits for a connect under way to end; throws <see cref="SocketException"/> when it failed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ConnectedAsync()
    {
        await WaitAsync(ReadinessLoop.Writable).ConfigureAwait(false);
        int error = ProbeSyscalls.PendingError(_fd);
        if (error != 0)
        {
            throw ProbeSyscalls.Error(error);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRestAsync(ReadOnlyMemory<byte> data, int sent, int error)
    {
        while (true)
        {
            if (error is not (0 or ProbeSyscalls.EAgain or ProbeSyscalls.EIntr))
            {
                throw ProbeSyscalls.Error(error);
            }

            if (error == ProbeSyscalls.EAgain)
            {
                await WaitAsync(ReadinessLoop.Writable).ConfigureAwait(false);
            }

            int more = ProbeSyscalls.Send(_fd, data.Span[sent..], out error);
            sent += Math.Max(more, 0);
            if (sent == data.Length)
            {
                return;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAfterWaitAsync(Memory<byte> into, int error)
    {
        while (true)
        {
            if (error is not (ProbeSyscalls.EAgain or ProbeSyscalls.EIntr))
            {
                throw ProbeSyscalls.Error(error);
            }

            if (error == ProbeSyscalls.EAgain)
            {
                await WaitAsync(ReadinessLoop.Readable).ConfigureAwait(false);
            }

            int read = ProbeSyscalls.Receive(_fd, into.Span, out error);
            if (read >= 0)
            {
                return read;
            }
        }
    }

    /// <summary>One wait for <paramref name="events"/>; ends by readiness, or by the token with <see cref="OperationCanceledException"/>.</summary>
    private ValueTask WaitAsync(uint events)
    {
        _wait.Reset();
        Volatile.Write(ref _waiting, 1);
        int error = _loop.Arm(_fd, _id, events, ref _added);
        if (error != 0)
        {
            Volatile.Write(ref _waiting, 0);
            throw ProbeSyscalls.Error(error);
        }

        // Cancelled before the wait was armed: the callback found nothing to end, so end it here.
        if (_cancellationToken.IsCancellationRequested && Interlocked.Exchange(ref _waiting, 0) == 1)
        {
            throw new OperationCanceledException(_cancellationToken);
        }

        return new ValueTask(this, _wait.Version);
    }

    void IValueTaskSource.GetResult(short token) => _wait.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _wait.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wait.OnCompleted(continuation, state, token, flags);
}
