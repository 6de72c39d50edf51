namespace GeoDns.Core.Dnssec;

/// <summary>
/// A private key able to sign: the host builds it (BCL ECDsa, libsodium) and hands it to the
/// core, which never sees key material. Must be safe to call from several threads at once.
/// </summary>
public interface ISignatureProvider
{
    /// <summary>Writes the DNSSEC signature of <paramref name="data"/> (RFC 6605 / RFC 8080 form); returns its length.</summary>
    int Sign(ReadOnlySpan<byte> data, Span<byte> signature);
}
