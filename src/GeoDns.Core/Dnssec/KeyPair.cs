using GeoDns.Core.Dns;

namespace GeoDns.Core.Dnssec;

/// <summary>The contents of a BIND key pair (<c>K&lt;zone&gt;.+&lt;alg&gt;+&lt;tag&gt;.key</c> and <c>.private</c>).</summary>
public sealed record KeyPair(DnsName Zone, ushort Flags, byte Algorithm, byte[] PublicKey, byte[] PrivateKey, KeyTiming Timing)
{
    public ushort Tag => KeyTag.Compute(SigningKey.BuildRData(Flags, Algorithm, PublicKey));

    /// <summary>The base name of both files, without extension (BIND's: zone with its final dot, algorithm and tag on 3 and 5 digits).</summary>
    public string BaseName => FileBaseName(Zone, Algorithm, Tag);

    public static string FileBaseName(DnsName zone, int algorithm, int tag) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"K{zone.ToString().ToLowerInvariant()}+{algorithm:D3}+{tag:D5}");
}
