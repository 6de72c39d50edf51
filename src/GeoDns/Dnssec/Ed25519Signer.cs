using GeoDns.Core.Dnssec;
using NSec.Cryptography;

namespace GeoDns.Dnssec;

/// <summary>
/// Algorithm 15 with NSec (libsodium): the BCL has no Ed25519. NSec was chosen over
/// BouncyCastle because it signs in native libsodium (bench/dnssec compares them), its keys
/// import straight from BIND's 32-octet seed and it is a small, maintained dependency.
/// </summary>
public sealed class Ed25519Signer : ISignatureProvider, IDisposable
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    public Ed25519Signer(ReadOnlySpan<byte> seed)
    {
        _key = Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey);
    }

    /// <summary>The public key that goes with the seed (checked against the .key file).</summary>
    public byte[] PublicKey => _key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    public int Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        Algorithm.Sign(_key, data, signature[..Algorithm.SignatureSize]);
        return Algorithm.SignatureSize;
    }

    /// <summary>A new key: the 32-octet seed and the 32-octet public key.</summary>
    public static (byte[] PrivateKey, byte[] PublicKey) Generate()
    {
        using var key = Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return (key.Export(KeyBlobFormat.RawPrivateKey), key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public void Dispose() => _key.Dispose();
}
