namespace GeoDns.Health;

/// <summary>
/// Where a member's SYNs go, the local address they leave from, and its probe in flight (kept
/// here so that a probe answered at once allocates nothing). Fields of the probe are read and
/// written under the prober's lock.
/// </summary>
internal sealed class SynTarget(uint source, uint destination, ushort port, byte[] nativeDestination)
{
    public uint Source { get; } = source;

    public uint Destination { get; } = destination;

    public ushort Port { get; } = port;

    /// <summary>The destination's <c>sockaddr_in</c>.</summary>
    public byte[] NativeDestination { get; } = nativeDestination;

    internal uint Sequence { get; set; }

    internal SynReply Reply { get; set; }

    internal TaskCompletionSource<SynReply>? Waiter { get; set; }
}
