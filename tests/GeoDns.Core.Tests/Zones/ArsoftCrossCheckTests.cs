using System.Buffers.Binary;
using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Zones.RData;
using static GeoDns.Core.Tests.Zones.ZoneTestHelper;

namespace GeoDns.Core.Tests.Zones;

/// <summary>
/// Our RDATA wire bytes decoded by an independent implementation (ARSoft.Tools.Net's message
/// parser): the record it reads back must print as the text we parsed.
/// </summary>
public class ArsoftCrossCheckTests
{
    [TestCase("A", "192.0.2.1", "192.0.2.1")]
    [TestCase("AAAA", "2001:db8::1", "2001:db8::1")]
    [TestCase("MX", "10 mail", "10 mail.example.com.")]
    [TestCase("SRV", "1 2 5060 sip", "1 2 5060 sip.example.com.")]
    [TestCase("TXT", "\"hello world\" two", "\"hello world\" \"two\"")]
    [TestCase("CAA", "0 issue \"letsencrypt.org\"", "0 issue \"letsencrypt.org\"")]
    [TestCase("NAPTR", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.")]
    [TestCase("DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118")]
    [TestCase("SSHFP", "1 1 dd465c09cfa51fb45020cc83316fff21b9ec74ac", "1 1 DD465C09CFA51FB45020CC83316FFF21B9EC74AC")]
    [TestCase("TLSA", "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6", "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6")]
    [TestCase("DNSKEY", "256 3 13 AQID BAU=", "256 3 13 AQIDBAU=")]
    [TestCase("HTTPS", "1 . alpn=h2,h3 port=443 ipv4hint=192.0.2.1", "1 . alpn=h2,h3 port=443 ipv4hint=192.0.2.1")]
    [TestCase("SVCB", "0 svc.example.net.", "0 svc.example.net.")]
    public void ArsoftReadsOurWireBytes(string type, string rdata, string expected)
    {
        RecordTypeNames.TryGetType(type, out ushort typeValue);
        var record = Decode(typeValue, RData(type, rdata));
        string text = record.ToString();
        TestContext.Out.WriteLine(text);
        string arsoftRData = text[(text.IndexOf(" " + type + " ", StringComparison.Ordinal) + type.Length + 2)..];
        Assert.That(Normalize(arsoftRData), Is.EqualTo(Normalize(expected)), text);
    }

    /// <summary>Wraps one answer record into a DNS response and lets ARSoft parse it.</summary>
    private static DnsRecordBase Decode(ushort type, byte[] rdata)
    {
        var owner = N("x.example.com.").Wire.ToArray();
        var message = new byte[12 + owner.Length + 10 + rdata.Length];
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 0x8400); // QR, AA
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), 1); // ANCOUNT
        owner.CopyTo(message, 12);
        int at = 12 + owner.Length;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at), type);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at + 2), 1);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(at + 4), 60);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(at + 8), (ushort)rdata.Length);
        rdata.CopyTo(message, at + 10);
        return DnsMessage.Parse(message).AnswerRecords.Single();
    }

    private static string Normalize(string s) => s.Replace("\"", string.Empty, StringComparison.Ordinal).ToUpperInvariant().Trim();
}
