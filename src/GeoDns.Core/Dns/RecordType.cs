namespace GeoDns.Core.Dns;

/// <summary>
/// RR TYPE values GeoDns code refers to by name. Everything else about a type (mnemonic,
/// RDATA codec, names in RDATA, flags) is its entry in <c>GeoDns.Core.Zones.RData.RecordTypes</c>.
/// </summary>
public static class RecordType
{
    public const ushort A = 1;
    public const ushort NS = 2;
    public const ushort CNAME = 5;
    public const ushort SOA = 6;
    public const ushort PTR = 12;
    public const ushort HINFO = 13;
    public const ushort MX = 15;
    public const ushort TXT = 16;
    public const ushort AAAA = 28;
    public const ushort SRV = 33;
    public const ushort NAPTR = 35;
    public const ushort DNAME = 39;
    public const ushort OPT = 41;
    public const ushort DS = 43;
    public const ushort SSHFP = 44;
    public const ushort RRSIG = 46;
    public const ushort NSEC = 47;
    public const ushort DNSKEY = 48;
    public const ushort NSEC3 = 50;
    public const ushort TLSA = 52;
    public const ushort SVCB = 64;
    public const ushort HTTPS = 65;
    public const ushort TSIG = 250;
    public const ushort IXFR = 251;
    public const ushort AXFR = 252;
    public const ushort ANY = 255;
    public const ushort CAA = 257;
}

/// <summary>CLASS values.</summary>
public static class RecordClass
{
    public const ushort IN = 1;
    public const ushort CH = 3;
    public const ushort HS = 4;
    public const ushort ANY = 255;
}
