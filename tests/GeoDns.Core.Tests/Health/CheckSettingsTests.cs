using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests.Health;

public sealed class CheckSettingsTests
{
    private static CheckDefinition Check(string kind, params (string Key, string Value)[] settings) =>
        new("web", kind, settings.ToDictionary(s => s.Key, s => s.Value), new SourceLocation("z", 1, 1));

    [Test]
    public void ReadsEveryWrittenKey()
    {
        var s = CheckSettings.From(Check("https",
            ("port", "8443"), ("path", "/healthz"), ("host", "www.example.com"), ("expect", "200-299,301"),
            ("body", "ok"), ("interval", "200ms"), ("timeout", "150ms"), ("rise", "3"), ("fall", "4"),
            ("insecure", "true"), ("quorum", "all")));
        Assert.Multiple(() =>
        {
            Assert.That(s.Kind, Is.EqualTo("https"));
            Assert.That(s.Port, Is.EqualTo(8443));
            Assert.That(s.Path, Is.EqualTo("/healthz"));
            Assert.That(s.Host, Is.EqualTo("www.example.com"));
            Assert.That(s.Expect.Contains(250) && s.Expect.Contains(301) && !s.Expect.Contains(302), Is.True);
            Assert.That(s.Body, Is.EqualTo("ok"));
            Assert.That(s.Interval, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
            Assert.That(s.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(150)));
            Assert.That(s.Rise, Is.EqualTo(3));
            Assert.That(s.Fall, Is.EqualTo(4));
            Assert.That(s.Insecure, Is.True);
            Assert.That(s.Quorum, Is.EqualTo(Quorum.All));
        });
    }

    [Test]
    public void DefaultsFitTheKind()
    {
        var http = CheckSettings.From(Check("http"));
        var https = CheckSettings.From(Check("https"));
        var dns = CheckSettings.From(Check("dns"));
        Assert.Multiple(() =>
        {
            Assert.That(http.Port, Is.EqualTo(80));
            Assert.That(https.Port, Is.EqualTo(443));
            Assert.That(dns.Port, Is.EqualTo(53));
            Assert.That(dns.QueryName, Is.EqualTo("."));
            Assert.That(dns.QueryType, Is.EqualTo(RecordType.NS));
            Assert.That(dns.Rcode, Is.Zero);
            Assert.That(http.Path, Is.EqualTo("/"));
            Assert.That(http.Expect.Contains(200) && http.Expect.Contains(302) && !http.Expect.Contains(404), Is.True);
            Assert.That(http.Interval, Is.EqualTo(CheckSettings.DefaultInterval));
            Assert.That(http.Timeout, Is.EqualTo(CheckSettings.DefaultTimeout));
            Assert.That(http.Rise, Is.EqualTo(2));
            Assert.That(http.Fall, Is.EqualTo(2));
            Assert.That(http.Insecure, Is.False);
            Assert.That(http.Quorum, Is.EqualTo(Quorum.Majority));
        });
    }

    [Test]
    public void AnUnwrittenTimeoutFitsAShortInterval()
    {
        var s = CheckSettings.From(Check("tcp", ("port", "22"), ("interval", "200ms")));
        Assert.That(s.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(150)));
    }

    [Test]
    public void MemberOverridesWinAndOtherMemberKeysAreIgnored()
    {
        var check = Check("http", ("port", "80"), ("interval", "2s"), ("path", "/"));
        var member = new Dictionary<string, string>
        {
            ["port"] = "8080",
            ["interval"] = "100ms",
            ["weight"] = "3",
            ["enabled"] = "false",
            ["target"] = "10.0.0.9",
        };
        var s = CheckSettings.From(check, member);
        Assert.Multiple(() =>
        {
            Assert.That(s.Port, Is.EqualTo(8080));
            Assert.That(s.Interval, Is.EqualTo(TimeSpan.FromMilliseconds(100)));
            Assert.That(s.Timeout, Is.LessThanOrEqualTo(s.Interval));
            Assert.That(s.Path, Is.EqualTo("/"));
            Assert.That(s.Target, Is.EqualTo("10.0.0.9"));
        });
    }

    [Test]
    public void DnsKeys()
    {
        var s = CheckSettings.From(Check("dns", ("name", "www.example.com."), ("type", "AAAA"), ("rcode", "NXDOMAIN"), ("answer", "2001:db8::1")));
        Assert.Multiple(() =>
        {
            Assert.That(s.QueryName, Is.EqualTo("www.example.com."));
            Assert.That(s.QueryType, Is.EqualTo(RecordType.AAAA));
            Assert.That(s.Rcode, Is.EqualTo(3));
            Assert.That(s.Answer, Is.EqualTo("2001:db8::1"));
            Assert.That(CheckSettings.From(Check("dns", ("type", "TYPE65"))).QueryType, Is.EqualTo(65));
        });
    }

    [TestCase("100ms", 100)]
    [TestCase("2s", 2000)]
    [TestCase("3", 3000)]
    [TestCase("1m", 60000)]
    [TestCase("1h", 3600000)]
    public void Durations(string text, int milliseconds)
    {
        Assert.That(CheckSettings.TryParseDuration(text, out var d), Is.True);
        Assert.That(d, Is.EqualTo(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [TestCase("interval", "50ms")]
    [TestCase("interval", "2x")]
    [TestCase("timeout", "ms")]
    [TestCase("port", "70000")]
    [TestCase("rise", "0")]
    [TestCase("expect", "99")]
    [TestCase("expect", "300-200")]
    [TestCase("insecure", "yes")]
    [TestCase("rcode", "BOGUS")]
    [TestCase("type", "NOPE")]
    public void RejectsBadValues(string key, string value) =>
        Assert.That(() => CheckSettings.From(Check("http", (key, value))), Throws.TypeOf<FormatException>());

    [Test]
    public void TcpNeedsAPort() =>
        Assert.That(() => CheckSettings.From(Check("tcp")), Throws.TypeOf<FormatException>().With.Message.Contains("port"));

    [Test]
    public void EqualSettingsCompareEqual()
    {
        var a = CheckSettings.From(Check("http", ("expect", "200")));
        var b = CheckSettings.From(Check("http", ("expect", "200")));
        Assert.That(a, Is.EqualTo(b));
    }
}
