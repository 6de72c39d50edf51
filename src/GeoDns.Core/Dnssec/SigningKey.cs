using GeoDns.Core.Dns;

namespace GeoDns.Core.Dnssec;

/// <summary>One key pair of a zone: its DNSKEY, its timing and what signs with its private half.</summary>
public sealed class SigningKey
{
    public const ushort ZoneKeyFlag = 0x0100;
    public const ushort SecureEntryPointFlag = 0x0001;

    public SigningKey(DnsName zone, ushort flags, byte algorithm, byte[] publicKey, KeyTiming timing, ISignatureProvider signer, string source)
    {
        Zone = zone;
        Flags = flags;
        Algorithm = algorithm;
        PublicKey = publicKey;
        Timing = timing;
        Signer = signer;
        Source = source;
        DnskeyRData = BuildRData(flags, algorithm, publicKey);
        Tag = KeyTag.Compute(DnskeyRData);
    }

    public DnsName Zone { get; }

    public ushort Flags { get; }

    public byte Algorithm { get; }

    public byte[] PublicKey { get; }

    public KeyTiming Timing { get; }

    public ISignatureProvider Signer { get; }

    /// <summary>Where the key came from (its file name), for messages.</summary>
    public string Source { get; }

    public byte[] DnskeyRData { get; }

    public ushort Tag { get; }

    /// <summary>A key-signing key (SEP flag): signs the DNSKEY RRset; as the only key, signs everything (CSK).</summary>
    public bool IsKeySigning => (Flags & SecureEntryPointFlag) != 0;

    public static byte[] BuildRData(ushort flags, byte algorithm, ReadOnlySpan<byte> publicKey)
    {
        var rdata = new byte[4 + publicKey.Length];
        rdata[0] = (byte)(flags >> 8);
        rdata[1] = (byte)flags;
        rdata[2] = 3;
        rdata[3] = algorithm;
        publicKey.CopyTo(rdata.AsSpan(4));
        return rdata;
    }
}
