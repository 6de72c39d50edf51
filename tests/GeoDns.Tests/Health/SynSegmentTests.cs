using System.Buffers.Binary;
using GeoDns.Health;

namespace GeoDns.Tests.Health;

/// <summary>The half-open probe's SYN (its checksum is GeoDns's own) and how answers are read.</summary>
public sealed class SynSegmentTests
{
    private const uint Source = 0xC0000201; // 192.0.2.1
    private const uint Member = 0xC6336407; // 198.51.100.7

    [Test]
    public void SynCarriesPortsSequenceMssAndAChecksumThatVerifies()
    {
        var syn = new byte[SynSegment.Length];
        SynSegment.WriteSyn(syn, Source, 40000, Member, 443, 0x01020304);
        Assert.Multiple(() =>
        {
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(syn), Is.EqualTo(40000));
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(2)), Is.EqualTo(443));
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(syn.AsSpan(4)), Is.EqualTo(0x01020304u));
            Assert.That(syn[12] >> 4, Is.EqualTo(6), "header of 6 words: 20 octets and the MSS option");
            Assert.That(syn[13], Is.EqualTo(0x02), "SYN alone");
            Assert.That(syn[20..24], Is.EqualTo(new byte[] { 2, 4, 0x05, 0xB4 }), "MSS 1460");
            // Worked out by hand (RFC 1071 over the pseudo-header and the segment) for these values.
            Assert.That(BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(16)), Is.EqualTo(0x0EF8));
            Assert.That(OnesComplementSum(Source, Member, syn), Is.EqualTo(0xFFFF), "a receiver's check: everything sums to all ones");
        });
    }

    [Test]
    public void AnAnswerIsReadWithWhoSentItAndWhatItAcknowledges()
    {
        var synAck = Answer(flags: 0x12, acknowledges: 0x01020305);
        Assert.That(SynSegment.Read(synAck, out uint from, out ushort fromPort, out ushort toPort, out uint sequence), Is.EqualTo(SynReply.Open));
        Assert.Multiple(() =>
        {
            Assert.That(from, Is.EqualTo(Member));
            Assert.That(fromPort, Is.EqualTo(443));
            Assert.That(toPort, Is.EqualTo(40000));
            Assert.That(sequence, Is.EqualTo(0x01020304u), "the SYN's own sequence number");
        });
        Assert.That(SynSegment.Read(Answer(flags: 0x14, acknowledges: 0x01020305), out _, out _, out _, out _), Is.EqualTo(SynReply.Refused), "RST+ACK");
    }

    [TestCase(0x10, TestName = "A plain ACK is no answer")]
    [TestCase(0x02, TestName = "A SYN without ACK is no answer")]
    [TestCase(0x04, TestName = "A RST without ACK is no answer")]
    [TestCase(0x16, TestName = "SYN and RST together are no answer")]
    public void OtherSegmentsAreNoAnswer(int flags) =>
        Assert.That(SynSegment.Read(Answer((byte)flags, 1), out _, out _, out _, out _), Is.EqualTo(SynReply.None));

    [Test]
    public void BrokenPacketsAreNoAnswer()
    {
        var good = Answer(0x12, 1);
        var udp = (byte[])good.Clone();
        udp[9] = 17;
        var fragment = (byte[])good.Clone();
        fragment[7] = 1; // fragment offset 8 octets: no TCP header here
        var ipv6 = (byte[])good.Clone();
        ipv6[0] = 0x65;
        var badHeaderLength = (byte[])good.Clone();
        badHeaderLength[0] = 0x44;
        Assert.Multiple(() =>
        {
            Assert.That(SynSegment.Read(good.AsSpan(0, 39), out _, out _, out _, out _), Is.EqualTo(SynReply.None), "truncated");
            Assert.That(SynSegment.Read(udp, out _, out _, out _, out _), Is.EqualTo(SynReply.None), "not TCP");
            Assert.That(SynSegment.Read(fragment, out _, out _, out _, out _), Is.EqualTo(SynReply.None), "a later fragment");
            Assert.That(SynSegment.Read(ipv6, out _, out _, out _, out _), Is.EqualTo(SynReply.None), "not IPv4");
            Assert.That(SynSegment.Read(badHeaderLength, out _, out _, out _, out _), Is.EqualTo(SynReply.None), "header shorter than 20");
            Assert.That(SynSegment.Read([], out _, out _, out _, out _), Is.EqualTo(SynReply.None), "empty");
        });
    }

    /// <summary>An IPv4 packet (20-octet header) from the member's port 443 to port 40000.</summary>
    private static byte[] Answer(byte flags, uint acknowledges)
    {
        var packet = new byte[40];
        packet[0] = 0x45;
        packet[9] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), Member);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), Source);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), 443);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), 40000);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(28), acknowledges);
        packet[32] = 5 << 4;
        packet[33] = flags;
        return packet;
    }

    private static int OnesComplementSum(uint source, uint destination, byte[] segment)
    {
        long sum = (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + 6 + segment.Length;
        for (int i = 0; i < segment.Length; i += 2)
        {
            sum += (segment[i] << 8) | segment[i + 1];
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (int)sum;
    }
}
