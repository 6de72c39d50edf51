namespace GeoDns.Core.Dnssec;

/// <summary>One record of a reply being signed, names uncompressed (case kept).</summary>
public sealed record MessageRecord(byte[] Owner, ushort Type, ushort Class, uint Ttl, byte[] RData)
{
    /// <summary>True for an RRSIG, NSEC or other record the signer added (written as is, never signed again).</summary>
    public bool Added { get; init; }
}
