using GeoDns.Core.Dns;
using GeoDns.Core.Dnssec;

namespace GeoDns.Core.Tests.Dnssec;

/// <summary>The NSEC pieces made online: type bitmaps and names just before and after a name in canonical order (RFC 4034 6.1).</summary>
public sealed class NsecTests
{
    [Test]
    public void BitmapMatchesRfc4034Example()
    {
        // RFC 4034 4.3: A MX RRSIG NSEC TYPE1234 after the next name.
        byte[] rdata = Nsec.RData([0], [RecordType.A, RecordType.MX, RecordType.RRSIG, RecordType.NSEC, 1234]);
        byte[] expected =
        [
            0,
            0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03,
            0x04, 0x1b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20,
        ];
        Assert.That(rdata, Is.EqualTo(expected));
    }

    [TestCase("a.example.")]
    [TestCase("www.example.")]
    [TestCase("\\000.example.")]
    [TestCase("b\\000.example.")]
    [TestCase("\\[x.example.")]
    [TestCase("a.b.c.example.")]
    public void PredecessorAndSuccessorBracketTheName(string text)
    {
        var name = DnsName.Parse(text).Wire.ToArray();
        byte[] before = Nsec.Predecessor(name);
        byte[] after = Nsec.Successor(name);
        byte[] afterDescendants = Nsec.AfterDescendants(name);

        Assert.That(Compare(before, name), Is.LessThan(0), DnsName.FromWire(before).ToString());
        Assert.That(Compare(name, after), Is.LessThan(0));
        Assert.That(Compare(name, afterDescendants), Is.LessThan(0));
        var child = DnsName.Parse("zzz." + text).Wire.ToArray();
        Assert.That(Compare(child, afterDescendants), Is.LessThan(0), "descendants sort before it");
        Assert.That(DnsName.IsValidWire(before) && DnsName.IsValidWire(after) && DnsName.IsValidWire(afterDescendants), Is.True);
    }

    /// <summary>RFC 4034 6.1: labels compared from the right, as lower-case octet strings.</summary>
    private static int Compare(byte[] a, byte[] b)
    {
        var left = Labels(a);
        var right = Labels(b);
        for (int i = 1; i <= Math.Min(left.Count, right.Count); i++)
        {
            int c = left[^i].AsSpan().SequenceCompareTo(right[^i]);
            if (c != 0)
            {
                return c;
            }
        }

        return left.Count.CompareTo(right.Count);
    }

    private static List<byte[]> Labels(byte[] wire)
    {
        var labels = new List<byte[]>();
        for (int offset = 0; wire[offset] != 0; offset += wire[offset] + 1)
        {
            labels.Add(wire.AsSpan(offset + 1, wire[offset]).ToArray().Select(b => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b).ToArray());
        }

        return labels;
    }
}
