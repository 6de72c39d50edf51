using GeoDns.Core.Wire;

namespace GeoDns.Core.Tests.Wire;

public sealed class QueryParserTests
{
    private static byte[] Query(string name = "www.example.test", ushort type = 1, bool edns = false, byte[]? options = null, ushort flags = 0x0100)
    {
        var bytes = new List<byte> { 0xAB, 0xCD, (byte)(flags >> 8), (byte)flags, 0, 1, 0, 0, 0, 0, 0, (byte)(edns ? 1 : 0) };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange(new byte[] { 0, (byte)(type >> 8), (byte)type, 0, 1 });
        if (edns)
        {
            options ??= [];
            bytes.AddRange(new byte[] { 0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, (byte)(options.Length >> 8), (byte)options.Length });
            bytes.AddRange(options);
        }

        return [.. bytes];
    }

    [Test]
    public void ReadsHeaderQuestionAndOpt()
    {
        Assert.That(QueryParser.Parse(Query(edns: true), out var q), Is.EqualTo(ParseOutcome.Query));
        Assert.Multiple(() =>
        {
            Assert.That(q.Id, Is.EqualTo(0xABCD));
            Assert.That(q.QNameLength, Is.EqualTo(18));
            Assert.That(q.QType, Is.EqualTo(1));
            Assert.That(q.QClass, Is.EqualTo(1));
            Assert.That(q.HasEdns, Is.True);
            Assert.That(q.EdnsUdpSize, Is.EqualTo(4096));
            Assert.That(q.DnssecOk, Is.True);
            Assert.That(q.HasClientSubnet, Is.False);
        });
    }

    [Test]
    public void ReadsClientSubnet()
    {
        byte[] option = [0, 8, 0, 7, 0, 1, 24, 0, 198, 51, 100];
        Assert.That(QueryParser.Parse(Query(edns: true, options: option), out var q), Is.EqualTo(ParseOutcome.Query));
        Assert.That(q.HasClientSubnet, Is.True);
        Assert.That(q.SubnetSourcePrefix, Is.EqualTo(24));
        Assert.That(q.SubnetAddress.ToString(), Is.EqualTo("198.51.100.0"));
        Assert.That(q.SubnetAddress.IsIPv4, Is.True);
    }

    [Test]
    public void ReadsIPv6ClientSubnet()
    {
        byte[] option = [0, 8, 0, 10, 0, 2, 48, 0, 0x20, 0x01, 0x0d, 0xb8, 0, 1];
        Assert.That(QueryParser.Parse(Query(edns: true, options: option), out var q), Is.EqualTo(ParseOutcome.Query));
        Assert.That(q.SubnetAddress.ToString(), Is.EqualTo("2001:db8:1::"));
        Assert.That(q.SubnetAddress.IsIPv4, Is.False);
    }

    [Test]
    public void ResponseIsDropped() => Assert.That(QueryParser.Parse(Query(flags: 0x8100), out _), Is.EqualTo(ParseOutcome.Drop));

    [Test]
    public void ShortPacketIsDropped() => Assert.That(QueryParser.Parse(new byte[11], out _), Is.EqualTo(ParseOutcome.Drop));

    [Test]
    public void NotifyIsNotImplemented() => Assert.That(QueryParser.Parse(Query(flags: 4 << 11), out _), Is.EqualTo(ParseOutcome.NotImp));

    [Test]
    public void EveryTruncationIsHandled()
    {
        var full = Query(edns: true, options: [0, 8, 0, 7, 0, 1, 24, 0, 198, 51, 100]);
        for (int length = 0; length < full.Length; length++)
        {
            var outcome = QueryParser.Parse(full.AsSpan(0, length), out _);
            Assert.That(outcome, Is.AnyOf(ParseOutcome.Drop, ParseOutcome.FormErr, ParseOutcome.Query), $"length {length}");
        }
    }

    [Test]
    public void OptWithRecordCountButNoBytesIsFormErr()
    {
        var packet = Query();
        packet[11] = 1; // claims an additional record that is not there
        Assert.That(QueryParser.Parse(packet, out _), Is.EqualTo(ParseOutcome.FormErr));
    }

    [Test]
    public void LabelOver63IsFormErr()
    {
        var packet = Query();
        packet[12] = 64;
        Assert.That(QueryParser.Parse(packet, out _), Is.EqualTo(ParseOutcome.FormErr));
    }

    [Test]
    public void FindsTheFirstCookieOptionAndLeavesItsLengthToTheQueryPath()
    {
        byte[] options = [0, 3, 0, 0, 0, 10, 0, 3, 7, 8, 9, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];
        var packet = Query(edns: true, options: options);
        Assert.That(QueryParser.Parse(packet, out var q), Is.EqualTo(ParseOutcome.Query));
        Assert.That((q.WantsNsid, q.CookieLength), Is.EqualTo((true, 3)), "the first COOKIE, however long");
        Assert.That(packet.AsSpan(q.CookieOffset, q.CookieLength).ToArray(), Is.EqualTo(new byte[] { 7, 8, 9 }));

        Assert.That(QueryParser.Parse(Query(edns: true), out var none), Is.EqualTo(ParseOutcome.Query));
        Assert.That(none.HasCookie, Is.False);
    }

    [Test]
    public void NoQuestionIsReadToTheEndForACookieRequest()
    {
        byte[] packet = [0xAB, 0xCD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 12, 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8];
        Assert.That(QueryParser.Parse(packet, out var q), Is.EqualTo(ParseOutcome.NoQuestion));
        Assert.That((q.HasQuestion, q.HasEdns, q.CookieOffset, q.CookieLength), Is.EqualTo((false, true, 27, 8)));

        byte[] twoQuestions = [.. Query()];
        twoQuestions[5] = 2;
        Assert.That(QueryParser.Parse(twoQuestions, out _), Is.EqualTo(ParseOutcome.FormErr));
    }
}
