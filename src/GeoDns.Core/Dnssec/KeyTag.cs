namespace GeoDns.Core.Dnssec;

/// <summary>The key tag of a DNSKEY (RFC 4034 appendix B): a checksum of its RDATA.</summary>
public static class KeyTag
{
    /// <param name="rdata">The DNSKEY RDATA: flags, protocol, algorithm, public key.</param>
    public static ushort Compute(ReadOnlySpan<byte> rdata)
    {
        uint accumulator = 0;
        for (int i = 0; i < rdata.Length; i++)
        {
            accumulator += (i & 1) == 0 ? (uint)rdata[i] << 8 : rdata[i];
        }

        accumulator += (accumulator >> 16) & 0xFFFF;
        return (ushort)(accumulator & 0xFFFF);
    }
}
