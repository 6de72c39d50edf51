using System.Security.Cryptography;
using GeoDns.Core.Dns;

namespace GeoDns.Core.Dnssec;

/// <summary>The DS record a parent publishes for a key (RFC 4034 5.1.4, SHA-256 digest type 2 of RFC 4509).</summary>
public static class DsRecord
{
    public const byte Sha256 = 2;

    /// <summary>SHA-256 over the canonical owner name followed by the DNSKEY RDATA.</summary>
    public static byte[] Digest(DnsName zone, ReadOnlySpan<byte> dnskeyRData)
    {
        var data = new byte[zone.WireLength + dnskeyRData.Length];
        Canonical.LowerName(zone.Wire, data);
        dnskeyRData.CopyTo(data.AsSpan(zone.WireLength));
        return SHA256.HashData(data);
    }

    /// <summary>The DS RDATA: key tag, algorithm, digest type, digest.</summary>
    public static byte[] RData(DnsName zone, ushort tag, byte algorithm, ReadOnlySpan<byte> dnskeyRData)
    {
        byte[] digest = Digest(zone, dnskeyRData);
        var rdata = new byte[4 + digest.Length];
        rdata[0] = (byte)(tag >> 8);
        rdata[1] = (byte)tag;
        rdata[2] = algorithm;
        rdata[3] = Sha256;
        digest.CopyTo(rdata, 4);
        return rdata;
    }

    /// <summary>Presentation form: <c>zone. IN DS tag alg 2 HEX</c>.</summary>
    public static string Format(DnsName zone, ushort tag, byte algorithm, ReadOnlySpan<byte> dnskeyRData) =>
        $"{zone} IN DS {tag} {algorithm} {Sha256} {Convert.ToHexString(Digest(zone, dnskeyRData))}";
}
