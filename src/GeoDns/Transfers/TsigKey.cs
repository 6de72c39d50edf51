using System.Security.Cryptography;
using GeoDns.Core.Dns;

namespace GeoDns.Transfers;

/// <summary>A TSIG key (RFC 8945): its name, HMAC algorithm and secret. The secret is never logged.</summary>
public sealed class TsigKey
{
    public TsigKey(DnsName name, string algorithm, byte[] secret)
    {
        Name = name;
        Algorithm = algorithm;
        AlgorithmName = DnsName.Parse(algorithm + ".");
        Secret = secret;
        MacLength = algorithm == "hmac-sha512" ? 64 : 32;
    }

    /// <summary>The algorithms this server signs and verifies with.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["hmac-sha256", "hmac-sha512"];

    public DnsName Name { get; }

    /// <summary>hmac-sha256 or hmac-sha512.</summary>
    public string Algorithm { get; }

    /// <summary>The algorithm as the domain name TSIG carries.</summary>
    public DnsName AlgorithmName { get; }

    public int MacLength { get; }

    private byte[] Secret { get; }

    public byte[] Mac(ReadOnlySpan<byte> data) => MacLength == 64
        ? HMACSHA512.HashData(Secret, data)
        : HMACSHA256.HashData(Secret, data);

    public override string ToString() => $"{Name} ({Algorithm})";
}
