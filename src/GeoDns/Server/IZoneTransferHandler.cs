using GeoDns.Core.Wire;

namespace GeoDns.Server;

/// <summary>
/// Serves AXFR and IXFR requests on a TCP connection: many messages for one request, so they
/// bypass the one-reply <see cref="Core.QueryProcessor"/>. Only TCP hands requests here.
/// </summary>
public interface IZoneTransferHandler
{
    /// <summary>Whether <paramref name="request"/> asks for a zone transfer (cheap: header and question only).</summary>
    bool IsTransfer(ReadOnlySpan<byte> request);

    /// <summary>Answers the transfer request through <paramref name="send"/>, one framed message (2-octet length first) at a time.</summary>
    Task Serve(ReadOnlyMemory<byte> request, ClientAddress source, Func<ReadOnlyMemory<byte>, ValueTask> send, CancellationToken token);
}
