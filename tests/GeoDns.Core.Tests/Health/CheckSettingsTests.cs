using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Health.Checks;
using GeoDns.Core.Loading;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Core.Zones;

namespace GeoDns.Core.Tests.Health;

public sealed class CheckSettingsTests
{
    private static readonly SourceLocation At = new("z", 1, 1);

    private static CheckDefinition Check(string kind, params (string Key, string Value)[] settings) =>
        new("web", kind, settings.ToDictionary(s => s.Key, s => s.Value), At);

    /// <summary>The settings a member of a pool checked by <paramref name="check"/> probes with.</summary>
    private static CheckSettings From(CheckDefinition check, Dictionary<string, string>? member = null)
    {
        Assert.That(TrafficVocabulary.BuiltIn.Checks.TryGet(check.Kind, out var kind), Is.True);
        var definition = new MemberDefinition("r", "192.0.2.1", [192, 0, 2, 1], 1, null, null, true, member ?? [], At);
        return CheckSettings.Parse(kind!, ProbePlan.Merge(check, definition, kind!));
    }

    [Test]
    public void ReadsEveryWrittenKey()
    {
        var s = From(Check("https",
            ("port", "8443"), ("path", "/healthz"), ("host", "www.example.com"), ("expect", "200-299,301"),
            ("body", "ok"), ("interval", "200ms"), ("timeout", "150ms"), ("rise", "3"), ("fall", "4"),
            ("insecure", "true"), ("quorum", "all")));
        Assert.Multiple(() =>
        {
            Assert.That(s.Kind, Is.EqualTo("https"));
            Assert.That(s.Port, Is.EqualTo(8443));
            Assert.That(s.Get(HttpCheck.Path), Is.EqualTo("/healthz"));
            Assert.That(s.Get(HttpCheck.Host), Is.EqualTo("www.example.com"));
            Assert.That(s.Get(HttpCheck.Expect).Contains(250) && s.Get(HttpCheck.Expect).Contains(301) && !s.Get(HttpCheck.Expect).Contains(302), Is.True);
            Assert.That(s.Get(HttpCheck.Body), Is.EqualTo("ok"));
            Assert.That(s.Interval, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
            Assert.That(s.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(150)));
            Assert.That(s.Rise, Is.EqualTo(3));
            Assert.That(s.Fall, Is.EqualTo(4));
            Assert.That(s.Get(HttpCheck.Insecure), Is.True);
            Assert.That(s.Quorum, Is.EqualTo(Quorum.All));
        });
    }

    [Test]
    public void DefaultsFitTheKind()
    {
        var http = From(Check("http"));
        var https = From(Check("https"));
        var dns = From(Check("dns"));
        Assert.Multiple(() =>
        {
            Assert.That(http.Port, Is.EqualTo(80));
            Assert.That(https.Port, Is.EqualTo(443));
            Assert.That(dns.Port, Is.EqualTo(53));
            Assert.That(dns.Get(DnsCheck.Name), Is.EqualTo("."));
            Assert.That(dns.Get(DnsCheck.Type), Is.EqualTo(RecordType.NS));
            Assert.That(dns.Get(DnsCheck.Rcode), Is.Zero);
            Assert.That(http.Get(HttpCheck.Path), Is.EqualTo("/"));
            Assert.That(http.Get(HttpCheck.Expect).Contains(200) && http.Get(HttpCheck.Expect).Contains(302) && !http.Get(HttpCheck.Expect).Contains(404), Is.True);
            Assert.That(http.Interval, Is.EqualTo(CheckSettings.DefaultInterval));
            Assert.That(http.Timeout, Is.EqualTo(CheckSettings.DefaultTimeout));
            Assert.That(http.Rise, Is.EqualTo(2));
            Assert.That(http.Fall, Is.EqualTo(2));
            Assert.That(http.Get(HttpCheck.Insecure), Is.False);
            Assert.That(http.Quorum, Is.EqualTo(Quorum.Majority));
        });
    }

    [Test]
    public void AnUnwrittenTimeoutFitsAShortInterval()
    {
        var s = From(Check("tcp", ("port", "22"), ("interval", "200ms")));
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
        var s = From(check, member);
        Assert.Multiple(() =>
        {
            Assert.That(s.Port, Is.EqualTo(8080));
            Assert.That(s.Interval, Is.EqualTo(TimeSpan.FromMilliseconds(100)));
            Assert.That(s.Timeout, Is.LessThanOrEqualTo(s.Interval));
            Assert.That(s.Get(HttpCheck.Path), Is.EqualTo("/"));
            Assert.That(s.Target, Is.EqualTo("10.0.0.9"));
        });
    }

    [Test]
    public void DnsKeys()
    {
        var s = From(Check("dns", ("name", "www.example.com."), ("type", "AAAA"), ("rcode", "NXDOMAIN"), ("answer", "2001:db8::1")));
        Assert.Multiple(() =>
        {
            Assert.That(s.Get(DnsCheck.Name), Is.EqualTo("www.example.com."));
            Assert.That(s.Get(DnsCheck.Type), Is.EqualTo(RecordType.AAAA));
            Assert.That(s.Get(DnsCheck.Rcode), Is.EqualTo(3));
            Assert.That(s.Get(DnsCheck.Answer), Is.EqualTo("2001:db8::1"));
            Assert.That(From(Check("dns", ("type", "TYPE65"))).Get(DnsCheck.Type), Is.EqualTo(65));
        });
    }

    [TestCase("100ms", 100)]
    [TestCase("2s", 2000)]
    [TestCase("3", 3000)]
    [TestCase("1m", 60000)]
    [TestCase("1h", 3600000)]
    public void Durations(string text, int milliseconds)
    {
        Assert.That(GeoDns.Core.Settings.Durations.TryParse(text, out var d), Is.Null);
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
    public void RejectsBadValues(string key, string value) =>
        Assert.That(() => From(Check("https", (key, value))), Throws.TypeOf<FormatException>().With.Message.Contains(key));

    [TestCase("rcode", "BOGUS")]
    [TestCase("type", "NOPE")]
    [TestCase("type", "AXFR")]
    [TestCase("type", "OPT")]
    [TestCase("name", "a..b")]
    public void RejectsBadDnsValues(string key, string value) =>
        Assert.That(() => From(Check("dns", (key, value))), Throws.TypeOf<FormatException>().With.Message.Contains(key));

    [Test]
    public void KeysOfAnotherKindAreRejected() =>
        Assert.That(() => From(Check("tcp", ("port", "22"), ("path", "/"))), Throws.TypeOf<FormatException>().With.Message.Contains("unknown key 'path'"));

    [Test]
    public void KeepAliveIsForPlainHttpOnly()
    {
        Assert.That(From(Check("http", ("keepalive", "true"))).Get(HttpCheck.KeepAlive), Is.True);
        Assert.That(From(Check("http")).Get(HttpCheck.KeepAlive), Is.False);
        Assert.That(() => From(Check("http", ("keepalive", "yes"))), Throws.TypeOf<FormatException>().With.Message.Contains("keepalive"));
        Assert.That(() => From(Check("https", ("keepalive", "true"))), Throws.TypeOf<FormatException>().With.Message.Contains("unknown key 'keepalive'"));
    }

    [Test]
    public void AnswerNeedsATypeWhoseDataTheCheckerReads()
    {
        Assert.That(From(Check("dns", ("type", "LOC"))).Get(DnsCheck.Type), Is.EqualTo(29));
        Assert.That(() => From(Check("dns", ("type", "LOC"), ("answer", "x"))), Throws.TypeOf<FormatException>().With.Message.Contains("not LOC"));
    }

    [Test]
    public void TcpNeedsAPort() =>
        Assert.That(() => From(Check("tcp")), Throws.TypeOf<FormatException>().With.Message.Contains("port"));

    [Test]
    public void EqualSettingsCompareEqual()
    {
        var a = From(Check("http", ("expect", "200")));
        var b = From(Check("http", ("expect", "200")));
        var c = From(Check("http", ("expect", "201")));
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
    }
}
