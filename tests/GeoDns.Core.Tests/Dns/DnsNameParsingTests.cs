using GeoDns.Core.Dns;

namespace GeoDns.Core.Tests.Dns;

public class DnsNameParsingTests
{
    private static readonly DnsName Origin = DnsName.Parse("example.com.");

    [Test]
    public void SpanOverloadMatchesStringOverload()
    {
        Assert.That(DnsName.TryParse("www".AsSpan(), Origin, out var a, out _), Is.True);
        Assert.That(a, Is.EqualTo(DnsName.Parse("www.example.com.")));
        Assert.That(DnsName.TryParse("@".AsSpan(), Origin, out var apex, out _) && ReferenceEquals(apex, Origin), Is.True);
        Assert.That(DnsName.TryParse(".".AsSpan(), null, out var root, out _) && root.IsRoot, Is.True);
        Assert.That(DnsName.TryParse("a\\.b.c.".AsSpan(), null, out var escaped, out _), Is.True);
        Assert.That(escaped!.LabelCount, Is.EqualTo(2));
        Assert.That(escaped.ToString(), Is.EqualTo("a\\.b.c."));
        Assert.That(DnsName.TryParse("a\\065\\ b.".AsSpan(), null, out var ddd, out _), Is.True);
        Assert.That(ddd!.Wire.ToArray(), Is.EqualTo(new byte[] { 4, (byte)'a', (byte)'A', (byte)' ', (byte)'b', 0 }));
    }

    [TestCase("", "empty name")]
    [TestCase("a..b.", "empty label")]
    [TestCase(".a.", "empty label")]
    [TestCase("a\\", "dangling escape")]
    [TestCase("a\\25", "bad \\DDD")]
    [TestCase("a\\256.", "over 255")]
    [TestCase("rel", "no origin")]
    [TestCase("@", "no origin")]
    public void Errors(string text, string fragment)
    {
        Assert.That(DnsName.TryParse(text.AsSpan(), null, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(fragment));
    }

    [Test]
    public void LengthLimits()
    {
        string label63 = new('a', 63);
        Assert.That(DnsName.TryParse(label63 + ".", null, out _, out _), Is.True);
        Assert.That(DnsName.TryParse(new string('a', 64) + ".", null, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("label longer"));

        // 3 x 63-octet labels + one 61-octet label = 4 + 250 + 1 = 255 octets: the longest name.
        string longest = $"{label63}.{label63}.{label63}.{new string('b', 61)}.";
        Assert.That(DnsName.Parse(longest).WireLength, Is.EqualTo(255));
        Assert.That(DnsName.TryParse($"{label63}.{label63}.{label63}.{new string('b', 62)}.", null, out _, out _), Is.False);
        Assert.That(DnsName.TryParse($"{label63}.{label63}.{label63}.{new string('b', 50)}", Origin, out _, out error), Is.False);
        Assert.That(error, Does.Contain("longer than 255"));
    }

    [Test]
    public void TryWriteWireWritesWithoutAllocatingAName()
    {
        Span<byte> buffer = stackalloc byte[DnsName.MaxWireLength + 64];
        Assert.That(DnsName.TryWriteWire("Mail", Origin, buffer, out int length, out _), Is.True);
        Assert.That(buffer[..length].ToArray(), Is.EqualTo(DnsName.Parse("Mail.example.com.").Wire.ToArray()));
        Assert.That(DnsName.TryWriteWire("@", Origin, buffer, out length, out _) && length == Origin.WireLength, Is.True);
    }

    [Test]
    public void NonAsciiCharactersBecomeTheirUtf8Octets()
    {
        // Was: 'é' became the single Latin-1 octet E9, unlike BIND reading the same UTF-8 file.
        var name = DnsName.Parse("café.example.");
        Assert.That(name.Wire[..6].ToArray(), Is.EqualTo(new byte[] { 5, (byte)'c', (byte)'a', (byte)'f', 0xC3, 0xA9 }));
        Assert.That(name.ToString(), Is.EqualTo("caf\\195\\169.example."));
        Assert.That(DnsName.Parse(name.ToString()), Is.EqualTo(name));
        Assert.That(DnsName.Parse("\\é."), Is.EqualTo(DnsName.Parse("é.")));
        Assert.That(DnsName.Parse("😀.").Wire.ToArray(), Is.EqualTo(new byte[] { 4, 0xF0, 0x9F, 0x98, 0x80, 0 }));
        Assert.That(DnsName.TryParse(new string('é', 32) + ".", null, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("label longer"));
    }

    [TestCase("www.example.com.", "example.com.", true)]
    [TestCase("WWW.Example.COM.", "example.com.", true)]
    [TestCase("example.com.", "EXAMPLE.com.", true)]
    [TestCase("example.com.", ".", true)]
    [TestCase("example.com.", "www.example.com.", false)]
    [TestCase("a.bexample.com.", "example.com.", false)]
    [TestCase("x.a.b.", "abc.", false)]
    [TestCase("abcdef.", "a.b.", false)]
    [TestCase("www.example.org.", "example.com.", false)]
    public void SubdomainsCompareWholeLabelsIgnoringCase(string name, string parent, bool expected)
    {
        Assert.That(DnsName.Parse(name).IsSubdomainOf(DnsName.Parse(parent)), Is.EqualTo(expected));
    }

    [Test]
    public void KeyIsTheLowerCasedWireForm()
    {
        var name = DnsName.Parse("WwW.Example.");
        Assert.That(name.Key, Is.EqualTo("\u0003www\u0007example\u0000"));
        Assert.That(name.Wire.ToArray(), Is.EqualTo(new byte[] { 3, (byte)'W', (byte)'w', (byte)'W', 7, (byte)'E', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 0 }));
        Assert.That(name, Is.EqualTo(DnsName.Parse("www.example.")));
    }
}
