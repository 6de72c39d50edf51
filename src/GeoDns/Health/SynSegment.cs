using System.Buffers.Binary;

namespace GeoDns.Health;

/// <summary>What a member's system answered a half-open probe's SYN with.</summary>
internal enum SynReply
{
    /// <summary>Not an answer to a SYN (or not TCP).</summary>
    None,

    /// <summary>SYN-ACK: the port listens.</summary>
    Open,

    /// <summary>RST: nothing listens there (a refused connect).</summary>
    Refused,
}

/// <summary>
/// The TCP segments of a half-open probe over IPv4: the SYN it sends (through a raw socket, so
/// the checksum is its own) and the answer it reads back (an IPv4 packet, header included, as a
/// raw socket delivers it). Addresses are IPv4 addresses as big-endian numbers.
/// </summary>
internal static class SynSegment
{
    /// <summary>A SYN's length: the 20-octet header and one option (the MSS).</summary>
    public const int Length = 24;

    private const byte ProtocolTcp = 6;
    private const byte FlagSyn = 0x02, FlagRst = 0x04, FlagAck = 0x10;

    /// <summary>Writes a SYN from <paramref name="source"/>:<paramref name="sourcePort"/> with <paramref name="sequence"/> into <paramref name="into"/> (<see cref="Length"/> octets).</summary>
    public static void WriteSyn(Span<byte> into, uint source, ushort sourcePort, uint destination, ushort destinationPort, uint sequence)
    {
        into = into[..Length];
        into.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(into, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(into[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(into[4..], sequence);
        into[12] = (Length / 4) << 4; // data offset in 32-bit words
        into[13] = FlagSyn;
        BinaryPrimitives.WriteUInt16BigEndian(into[14..], 64240); // window
        into[20] = 2; // MSS option: kind, length, value (some filters drop a SYN without one)
        into[21] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(into[22..], 1460);
        BinaryPrimitives.WriteUInt16BigEndian(into[16..], Checksum(into, source, destination));
    }

    /// <summary>
    /// Reads an IPv4 packet a raw TCP socket received: what it answers, who sent it, to which of
    /// our ports and which sequence number it acknowledges. <see cref="SynReply.None"/> for
    /// anything else (truncated, not TCP, fragments, other flags).
    /// </summary>
    public static SynReply Read(ReadOnlySpan<byte> packet, out uint source, out ushort sourcePort, out ushort destinationPort, out uint acknowledged)
    {
        source = 0;
        sourcePort = destinationPort = 0;
        acknowledged = 0;
        if (packet.Length < 20 || packet[0] >> 4 != 4 || packet[9] != ProtocolTcp)
        {
            return SynReply.None;
        }

        int headerLength = (packet[0] & 0xF) * 4;
        if (headerLength < 20 || packet.Length < headerLength + 20 || (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x1FFF) != 0)
        {
            return SynReply.None; // a fragment after the first has no TCP header
        }

        var tcp = packet[headerLength..];
        byte flags = tcp[13];
        if ((flags & FlagAck) == 0)
        {
            return SynReply.None;
        }

        source = BinaryPrimitives.ReadUInt32BigEndian(packet[12..]);
        sourcePort = BinaryPrimitives.ReadUInt16BigEndian(tcp);
        destinationPort = BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]);
        acknowledged = BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]) - 1;
        return (flags & (FlagSyn | FlagRst)) switch
        {
            FlagSyn => SynReply.Open,
            FlagRst => SynReply.Refused,
            _ => SynReply.None,
        };
    }

    /// <summary>The TCP checksum of <paramref name="segment"/> (its checksum field zero) with the IPv4 pseudo-header.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> segment, uint source, uint destination)
    {
        ulong sum = (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + ProtocolTcp + (uint)segment.Length;
        int i = 0;
        for (; i + 1 < segment.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(segment[i..]);
        }

        if (i < segment.Length)
        {
            sum += (uint)segment[i] << 8;
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
