namespace GeoDns.Core.Dnssec;

/// <summary>The DNSSEC algorithms GeoDns signs with (IANA numbers, RFC 8624).</summary>
public static class DnssecAlgorithm
{
    /// <summary>ECDSA P-256 with SHA-256 (RFC 6605): 64-octet public keys and signatures.</summary>
    public const byte EcdsaP256Sha256 = 13;

    /// <summary>Ed25519 (RFC 8080): 32-octet public keys, 64-octet signatures.</summary>
    public const byte Ed25519 = 15;

    public static bool IsSupported(int algorithm) => algorithm is EcdsaP256Sha256 or Ed25519;

    /// <summary>The mnemonic BIND writes in .private files and takes on the command line.</summary>
    public static string Mnemonic(int algorithm) => algorithm switch
    {
        EcdsaP256Sha256 => "ECDSAP256SHA256",
        Ed25519 => "ED25519",
        _ => algorithm.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static int PublicKeyLength(int algorithm) => algorithm == EcdsaP256Sha256 ? 64 : 32;

    public static int PrivateKeyLength(int algorithm) => 32;

    public static int SignatureLength(int algorithm) => 64;
}
