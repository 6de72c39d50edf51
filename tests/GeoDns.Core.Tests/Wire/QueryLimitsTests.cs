using GeoDns.Core.Lookup;
using GeoDns.Core.Wire;

namespace GeoDns.Core.Tests.Wire;

/// <summary>The parser's limits: name length (255 octets), label count, compression pointers (never followed).</summary>
public sealed class QueryLimitsTests
{
    private static byte[] Header(int anCount = 0, int arCount = 0) =>
        [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, (byte)anCount, 0, 0, 0, (byte)arCount];

    private static byte[] Packet(byte[] name, params byte[] rest) => [.. Header(), .. name, 0, 1, 0, 1, .. rest];

    /// <summary>A wire name of <paramref name="labels"/> labels of <paramref name="labelLength"/> octets.</summary>
    private static byte[] Name(int labels, int labelLength)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < labels; i++)
        {
            bytes.Add((byte)labelLength);
            bytes.AddRange(Enumerable.Repeat((byte)'a', labelLength));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    [Test]
    public void ANameOf255OctetsIsAccepted()
    {
        // 3 x 63-octet labels + one of 61: 3*64 + 62 + 1 = 255 octets with the root.
        byte[] name = [.. Name(3, 63)[..^1], 61, .. Enumerable.Repeat((byte)'b', 61), 0];
        Assert.That(name, Has.Length.EqualTo(255));
        Assert.That(QueryParser.Parse(Packet(name), out var query), Is.EqualTo(ParseOutcome.Query));
        Assert.That(query.QNameLength, Is.EqualTo(255));
    }

    [Test]
    public void ANameOf256OctetsIsFormErr()
    {
        byte[] name = [.. Name(3, 63)[..^1], 62, .. Enumerable.Repeat((byte)'b', 62), 0];
        Assert.That(name, Has.Length.EqualTo(256));
        Assert.That(QueryParser.Parse(Packet(name), out _), Is.EqualTo(ParseOutcome.FormErr));
    }

    [Test]
    public void TheMostLabelsANameCanHaveAreAccepted()
    {
        // 127 one-octet labels: 254 octets + the root.
        Assert.That(QueryParser.Parse(Packet(Name(127, 1)), out var query), Is.EqualTo(ParseOutcome.Query));
        Assert.That(query.QNameLength, Is.EqualTo(255));
        Assert.That(QueryParser.Parse(Packet(Name(128, 1)), out _), Is.EqualTo(ParseOutcome.FormErr));
    }

    [Test]
    public void ACompressionPointerInTheQuestionIsFormErr()
    {
        byte[] pointerToItself = [0xC0, 12];
        Assert.That(QueryParser.Parse([.. Header(), .. pointerToItself, 0, 1, 0, 1], out _), Is.EqualTo(ParseOutcome.FormErr));
    }

    [Test]
    public void PointerLoopsInOtherSectionsAreNeverFollowed()
    {
        // An answer record whose owner points at itself, and one at the next pointer: skipped, not followed.
        var question = Name(1, 3);
        int answerOffset = 12 + question.Length + 4;
        byte[] record = [0xC0, (byte)answerOffset, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0];
        byte[] packet = [.. Header(anCount: 2), .. question, 0, 1, 0, 1, .. record, .. record];
        Assert.That(QueryParser.Parse(packet, out _), Is.EqualTo(ParseOutcome.Query));
    }

    [Test]
    public void ThousandsOfAdditionalRecordsCostOneLinearPass()
    {
        // arcount 65535 with few bytes: rejected at the first record that is not there.
        byte[] packet = [.. Header(), .. Name(1, 3), 0, 1, 0, 1];
        packet[10] = 0xFF;
        packet[11] = 0xFF;
        Assert.That(QueryParser.Parse(packet, out _), Is.EqualTo(ParseOutcome.FormErr));
    }

    [Test]
    public void TheLongestNamesGoThroughTheWholeQueryPath()
    {
        var processor = new QueryProcessor(Snapshot.Empty);
        var response = new byte[DnsWire.MaxMessageLength];
        foreach (var name in new[] { Name(127, 1), Name(3, 63) })
        {
            int length = processor.Process(Packet(name), response, ClientAddress.None, overTcp: false);
            Assert.That(response[3] & 0xF, Is.EqualTo(ResponseCode.Refused));
            Assert.That(length, Is.EqualTo(12 + name.Length + 4));
        }
    }
}
