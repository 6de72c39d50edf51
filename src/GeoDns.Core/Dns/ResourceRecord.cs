namespace GeoDns.Core.Dns;

/// <summary>One record as zone data: RDATA in uncompressed wire form, names in it keep their case.</summary>
public sealed record ResourceRecord(DnsName Owner, ushort Type, ushort Class, uint Ttl, byte[] RData);
