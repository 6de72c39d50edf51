using GeoDns.Core.Dns;
using GeoDns.Core.Zones.RData;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

/// <summary>Presentation to wire for each type, against hand-checked bytes (RFC examples where they exist).</summary>
public class RDataParserTests
{
    [Test]
    public void Addresses()
    {
        Assert.That(RData("A", "192.0.2.1"), Is.EqualTo(Hex("C0000201")));
        Assert.That(RData("AAAA", "2001:db8::1"), Is.EqualTo(Hex("20010DB8000000000000000000000001")));
        Assert.That(RData("AAAA", "::ffff:192.0.2.1"), Is.EqualTo(Hex("00000000000000000000FFFFC0000201")));
    }

    [TestCase("NS")]
    [TestCase("CNAME")]
    [TestCase("PTR")]
    [TestCase("DNAME")]
    public void SingleNameTypesKeepCase(string type)
    {
        Assert.That(RData(type, "Target.Example.NET."), Is.EqualTo(Hex(W("Target.Example.NET."))));
        Assert.That(Convert.ToHexString(RData(type, "rel")), Is.EqualTo(W("rel.example.com.")));
    }

    [Test]
    public void MxSrvSoa()
    {
        Assert.That(RData("MX", "10 mail"), Is.EqualTo(Hex("000A" + W("mail.example.com."))));
        Assert.That(RData("SRV", "0 5 5060 sip.example.com."), Is.EqualTo(Hex("0000 0005 13C4" + W("sip.example.com."))));
        var soa = Parse("$ORIGIN example.com.\n$TTL 60\n@ SOA ns hm 4294967295 1h 30m 1w 0\n@ NS ns.other.\n");
        AssertClean(soa);
        Assert.That(soa.Soa.RData,
            Is.EqualTo(Hex(W("ns.example.com.") + W("hm.example.com.") + "FFFFFFFF 00000E10 00000708 00093A80 00000000")));
    }

    [Test]
    public void TxtStrings()
    {
        Assert.That(RData("TXT", "\"hello\" world"), Is.EqualTo(Hex("0568656C6C6F 05776F726C64")));
        Assert.That(RData("TXT", "\"a\\\"b\\\\c\\065\""), Is.EqualTo(Hex("06 61 22 62 5C 63 41")));
        Assert.That(RData("TXT", "\"\""), Is.EqualTo(Hex("00")));
        Assert.That(RData("TXT", "\"é\""), Is.EqualTo(Hex("02 C3A9")));
        Assert.That(RData("TXT", "\"" + new string('x', 255) + "\"").Length, Is.EqualTo(256));
        Assert.That(RData("SPF", "\"v=spf1 -all\""), Is.EqualTo(Hex("0B 763D73706631202D616C6C")));
    }

    [Test]
    public void TxtOver255OctetsIsAnError()
    {
        var zone = WithHeader("x TXT ok \"" + new string('x', 256) + "\"\n");
        AssertError(zone, "example.com.zone:6:10", "at most 255");
    }

    [Test]
    public void HinfoNaptrCaa()
    {
        Assert.That(RData("HINFO", "\"PC\" Linux"), Is.EqualTo(Hex("025043 054C696E7578")));
        Assert.That(RData("NAPTR", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com."),
            Is.EqualTo(Hex("0064 000A 0153 075349502B443255 00" + W("_sip._udp.example.com."))));
        Assert.That(RData("CAA", "0 issue \"letsencrypt.org\""),
            Is.EqualTo(Hex("00 05 6973737565 6C657473656E63727970742E6F7267")));
        Assert.That(RData("CAA", "128 iodef \"mailto:a@b\""), Is.EqualTo(Hex("80 05 696F646566 6D61696C746F3A6140 62")));
    }

    [Test]
    public void DsDnskeySshfpTlsa()
    {
        // RFC 4034 section 5.4 example.
        Assert.That(RData("DS", "60485 5 1 ( 2BB183AF5F22588179A53B0A\n 98631FAD1A292118 )"),
            Is.EqualTo(Hex("EC45 05 01 2BB183AF5F22588179A53B0A98631FAD1A292118")));
        Assert.That(RData("DNSKEY", "256 3 13 AQID BAU="), Is.EqualTo(Hex("0100 03 0D 0102030405")));
        Assert.That(RData("SSHFP", "1 1 dd465c09cfa51fb45020cc83316fff21b9ec74ac"),
            Is.EqualTo(Hex("01 01 DD465C09CFA51FB45020CC83316FFF21B9EC74AC")));
        Assert.That(RData("TLSA", "3 1 1 0C72AC70B745AC19998811B131D662C9 AC69DBDBE7CB23E5B514B56664C5D3D6"),
            Is.EqualTo(Hex("03 01 01 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6")));
    }

    [Test]
    public void SvcbRfc9460Vectors()
    {
        // RFC 9460 appendix D.
        Assert.That(RData("SVCB", "0 foo.example.com."), Is.EqualTo(Hex("0000" + W("foo.example.com."))));
        Assert.That(RData("SVCB", "1 ."), Is.EqualTo(Hex("0001 00")));
        Assert.That(RData("SVCB", "16 foo.example.com. port=53"), Is.EqualTo(Hex("0010" + W("foo.example.com.") + "0003 0002 0035")));
        Assert.That(RData("SVCB", "1 foo.example.com. key667=hello"), Is.EqualTo(Hex("0001" + W("foo.example.com.") + "029B 0005 68656C6C6F")));
        Assert.That(RData("SVCB", "1 foo.example.com. key667=\"hello\\210qoo\""),
            Is.EqualTo(Hex("0001" + W("foo.example.com.") + "029B 0009 68656C6C6FD2716F6F")));
        Assert.That(RData("SVCB", "1 foo.example.com. ipv6hint=\"2001:db8::1,2001:db8::53:1\""),
            Is.EqualTo(Hex("0001" + W("foo.example.com.") + "0006 0020 20010DB8000000000000000000000001 20010DB8000000000000000000530001")));
        Assert.That(RData("SVCB", "16 foo.example.org. (alpn=h2,h3-19 mandatory=ipv4hint,alpn\n ipv4hint=192.0.2.1)"),
            Is.EqualTo(Hex("0010" + W("foo.example.org.") + "0000 0004 0001 0004" + "0001 0009 026832 0568332D3139" + "0004 0004 C0000201")));
        Assert.That(RData("SVCB", "16 foo.example.org. alpn=\"f\\\\\\\\oo\\\\,bar,h2\""),
            Is.EqualTo(Hex("0010" + W("foo.example.org.") + "0001 000C 08 665C6F6F2C626172 026832")));
    }

    [Test]
    public void HttpsWithEchAndNoDefaultAlpn()
    {
        Assert.That(RData("HTTPS", "1 . alpn=h2 no-default-alpn port=443 ech=AQID"),
            Is.EqualTo(Hex("0001 00" + "0001 0003 026832" + "0002 0000" + "0003 0002 01BB" + "0005 0003 010203")));
    }

    [TestCase("1 . alpn=h2 alpn=h3", "example.com.zone:6:21", "given twice")]
    [TestCase("1 . foo=1", "example.com.zone:6:13", "unknown SvcParam key")]
    [TestCase("1 . no-default-alpn", "example.com.zone:6:13", "requires alpn")]
    [TestCase("1 . mandatory=port", "example.com.zone:6:13", "not given")]
    [TestCase("1 . port=99999", "example.com.zone:6:18", "bad port")]
    [TestCase("1 . ipv4hint=1.2.3", "example.com.zone:6:22", "bad ipv4hint")]
    [TestCase("1 . alpn", "example.com.zone:6:13", "needs a value")]
    public void SvcbErrors(string rdata, string where, string fragment) =>
        AssertError(WithHeader($"x HTTPS {rdata}\n"), where, fragment);

    [Test]
    public void AliasModeWithParamsWarns()
    {
        var zone = WithHeader("x HTTPS 0 svc port=443\n");
        AssertNoErrors(zone);
        AssertWarning(zone, "example.com.zone:6:15", "AliasMode");
    }

    [TestCase("A", "192.0.2", "example.com.zone:6:5", "bad IPv4")]
    [TestCase("A", "192.0.2.01.1", "example.com.zone:6:5", "bad IPv4")]
    [TestCase("A", "1", "example.com.zone:6:5", "bad IPv4")]
    [TestCase("AAAA", "2001:db8::1%eth0", "example.com.zone:6:8", "bad IPv6")]
    [TestCase("MX", "70000 mail", "example.com.zone:6:6", "0 to 65535")]
    [TestCase("MX", "10", "example.com.zone:6:8", "missing MX exchange")]
    [TestCase("SOA", "ns hm 1 2 3 4", "example.com.zone:6:20", "missing SOA minimum")]
    [TestCase("SOA", "ns hm 4294967296 2 3 4 5", "example.com.zone:6:13", "bad SOA serial")]
    [TestCase("SOA", "ns hm 1 2 3 4 5y", "example.com.zone:6:21", "bad SOA minimum")]
    [TestCase("CAA", "0 is-sue \"x\"", "example.com.zone:6:9", "bad CAA tag")]
    [TestCase("CAA", "256 issue \"x\"", "example.com.zone:6:7", "bad CAA flags")]
    [TestCase("DS", "1 2 3 ABC", "example.com.zone:6:12", "odd number")]
    [TestCase("DS", "1 2 3", "example.com.zone:6:11", "missing DS digest")]
    [TestCase("DNSKEY", "257 3 8 !!!!", "example.com.zone:6:18", "not valid base64")]
    [TestCase("SRV", "1 2 3", "example.com.zone:6:12", "missing SRV target")]
    [TestCase("CNAME", "a..b", "example.com.zone:6:9", "empty label")]
    [TestCase("TXT", "", "example.com.zone:6:6", "missing TXT")]
    [TestCase("TXT", "\"\\300\"", "example.com.zone:6:7", "over 255")]
    [TestCase("HINFO", "cpu", "example.com.zone:6:12", "missing HINFO OS")]
    [TestCase("RRSIG", "A 8 2 3600 x y z w", "example.com.zone:6:9", "RFC 3597")]
    public void FieldErrors(string type, string rdata, string where, string fragment) =>
        AssertError(WithHeader($"x {type} {rdata}\n"), where, fragment);

    [Test]
    public void TypeNameTable()
    {
        Assert.That(RecordTypeNames.TryGetType("aaaa", out ushort t) && t == RecordType.AAAA, Is.True);
        Assert.That(RecordTypeNames.TryGetType("TYPE65535", out t) && t == 65535, Is.True);
        Assert.That(RecordTypeNames.TryGetType("type1", out t) && t == 1, Is.True);
        Assert.That(RecordTypeNames.TryGetType("TYPE65536", out _), Is.False);
        Assert.That(RecordTypeNames.TryGetType("TYPE", out _), Is.False);
        Assert.That(RecordTypeNames.TryGetType("TYPE1x", out _), Is.False);
        Assert.That(RecordTypeNames.TryGetType("NOPE", out _), Is.False);
        Assert.That(RecordTypeNames.ToMnemonic(RecordType.HTTPS), Is.EqualTo("HTTPS"));
        Assert.That(RecordTypeNames.ToMnemonic(65280), Is.EqualTo("TYPE65280"));
        Assert.That(RecordTypeNames.ClassToMnemonic(1), Is.EqualTo("IN"));
        Assert.That(RecordTypeNames.ClassToMnemonic(77), Is.EqualTo("CLASS77"));
    }
}
