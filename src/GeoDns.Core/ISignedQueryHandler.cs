using GeoDns.Core.Wire;

namespace GeoDns.Core;

/// <summary>
/// Answers a query that carries a TSIG record (RFC 8945): checks the signature, answers the
/// unsigned query through the <see cref="QueryProcessor"/> and signs the reply. Implemented by
/// the host, where the keys are; such queries come from secondaries, never on the hot path.
/// </summary>
public interface ISignedQueryHandler
{
    /// <summary>Same contract as <see cref="QueryProcessor.Process(ReadOnlySpan{byte}, Span{byte}, ClientAddress, bool)"/>.</summary>
    int Answer(ReadOnlySpan<byte> request, Span<byte> response, ClientAddress source, bool overTcp);
}
