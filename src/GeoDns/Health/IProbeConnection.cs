namespace GeoDns.Health;

/// <summary>An open probe connection whose request has been sent: what the response reader needs.</summary>
internal interface IProbeConnection : IDisposable
{
    /// <summary>Bytes read into <paramref name="into"/>, 0 at the end of the stream; the probe's token (given when connecting) cancels it.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> into);

    /// <summary>Sends all of <paramref name="data"/>: the next request on a connection kept open.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> data);

    /// <summary>Makes <paramref name="cancellationToken"/> the one that cancels this connection's waits (a kept connection serves the next probe; default: none).</summary>
    void Rebind(CancellationToken cancellationToken);
}
