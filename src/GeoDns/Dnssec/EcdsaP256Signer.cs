using System.Security.Cryptography;
using GeoDns.Core.Dnssec;

namespace GeoDns.Dnssec;

/// <summary>Algorithm 13 with the BCL's ECDsa (OpenSSL on Linux): r and s, 32 octets each (RFC 6605 4).</summary>
public sealed class EcdsaP256Signer : ISignatureProvider, IDisposable
{
    private readonly ECDsa _key;

    public EcdsaP256Signer(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        _key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = privateKey.ToArray(),
            Q = new ECPoint { X = publicKey[..32].ToArray(), Y = publicKey[32..].ToArray() },
        });
    }

    public int Sign(ReadOnlySpan<byte> data, Span<byte> signature) =>
        _key.TrySignData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out int written)
            ? written
            : throw new CryptographicException("ECDSA signature did not fit");

    /// <summary>A new key: the 32-octet private scalar and the 64-octet public point.</summary>
    public static (byte[] PrivateKey, byte[] PublicKey) Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return (parameters.D!, [.. parameters.Q.X!, .. parameters.Q.Y!]);
    }

    public void Dispose() => _key.Dispose();
}
