using System.Buffers.Binary;

namespace GeoDns.Core.Wire;

/// <summary>Header layout constants and big-endian helpers (RFC 1035 4.1.1).</summary>
public static class DnsWire
{
    public const int HeaderLength = 12;
    public const int MaxUdpPayloadWithoutEdns = 512;

    /// <summary>DNS Flag Day 2020 recommendation; also the largest payload GeoDns sends over UDP.</summary>
    public const int ServerUdpPayload = 1232;

    public const int MaxMessageLength = 65535;

    public const ushort FlagQr = 0x8000;
    public const ushort FlagAa = 0x0400;
    public const ushort FlagTc = 0x0200;
    public const ushort FlagRd = 0x0100;
    public const ushort FlagRa = 0x0080;
    public const ushort FlagAd = 0x0020;
    public const ushort FlagCd = 0x0010;
    public const int OpcodeShift = 11;

    public const ushort EdnsOptionClientSubnet = 8;

    /// <summary>Name Server Identifier (RFC 5001): empty in a query, the server's identifier in the reply.</summary>
    public const ushort EdnsOptionNsid = 3;

    /// <summary>DNS cookie (RFC 7873): a client cookie, then the server cookie once the client has one.</summary>
    public const ushort EdnsOptionCookie = 10;

    /// <summary>The longest NSID payload a server may be configured with (the option itself allows 65535).</summary>
    public const int MaxNsidLength = 128;

    public static ushort ReadUInt16(ReadOnlySpan<byte> buffer, int offset) => BinaryPrimitives.ReadUInt16BigEndian(buffer[offset..]);

    public static uint ReadUInt32(ReadOnlySpan<byte> buffer, int offset) => BinaryPrimitives.ReadUInt32BigEndian(buffer[offset..]);

    public static void WriteUInt16(Span<byte> buffer, int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(buffer[offset..], value);

    public static void WriteUInt32(Span<byte> buffer, int offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(buffer[offset..], value);
}

/// <summary>RCODE values, including the EDNS extended ones.</summary>
public static class ResponseCode
{
    public const int NoError = 0;
    public const int FormErr = 1;
    public const int ServFail = 2;
    public const int NxDomain = 3;
    public const int NotImp = 4;
    public const int Refused = 5;
    public const int NotAuth = 9;
    public const int BadVers = 16;

    /// <summary>RFC 7873 8: the server cookie was missing or wrong; the reply carries a fresh one to retry with.</summary>
    public const int BadCookie = 23;
}
