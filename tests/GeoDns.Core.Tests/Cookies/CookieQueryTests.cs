using GeoDns.Core.Cookies;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.RateLimiting;
using GeoDns.Core.Wire;
using GeoDns.Core.Zones;
using Microsoft.Extensions.Time.Testing;

namespace GeoDns.Core.Tests.Cookies;

/// <summary>DNS cookies through <see cref="QueryProcessor"/>: RFC 7873 5.2 and how they meet rate limiting.</summary>
public sealed class CookieQueryTests
{
    private const string ZoneText = """
        $ORIGIN example.test.
        $TTL 300
        @     SOA ns1 hostmaster 1 3600 900 604800 120
        @     NS  ns1
        ns1   A   192.0.2.53
        www   A   192.0.2.1
        """;

    private const string ClientCookie = "0102030405060708";

    private static readonly ClientAddress Client = ClientAddress.FromIPv4(0xC6336464); // 198.51.100.100

    private static QueryProcessor Processor(bool cookies = true, int rate = 0, int slip = 2, FakeTimeProvider? clock = null)
    {
        clock ??= new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var file = ZoneFileLoader.Parse(ZoneText, "example.test.zone", null, TrafficVocabulary.BuiltIn);
        Assert.That(file.HasErrors, Is.False, string.Join("\n", file.Diagnostics));
        return new QueryProcessor(new Snapshot([ZoneBuilder.Build(file)]))
        {
            Cookies = cookies ? new ServerCookies(Convert.FromHexString("e5e973e5a6b2a43f48e7dc849e37bfcf"), default, clock) : null,
            RateLimiter = rate > 0 ? new ResponseRateLimiter(new RrlSettings { ResponsesPerSecond = rate, Slip = slip }, clock) : null,
        };
    }

    /// <summary>A query for www.example.test A with EDNS and, unless null, a COOKIE option of these hex octets.</summary>
    internal static byte[] Query(string? cookieHex, string name = "www.example.test")
    {
        var bytes = new List<byte> { 1, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1 };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange(new byte[] { 0, 0, 1, 0, 1 });
        byte[] cookie = cookieHex is null ? [] : Convert.FromHexString(cookieHex);
        int rdata = cookieHex is null ? 0 : 4 + cookie.Length;
        bytes.AddRange(new byte[] { 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, (byte)(rdata >> 8), (byte)rdata });
        if (cookieHex is not null)
        {
            bytes.AddRange(new byte[] { 0, 10, 0, (byte)cookie.Length });
            bytes.AddRange(cookie);
        }

        return [.. bytes];
    }

    /// <summary>The COOKIE payload of a reply, in hex (it is the last option of the last record); null without one.</summary>
    internal static string? ReplyCookie(ReadOnlySpan<byte> reply)
    {
        if (reply.Length < 28 + 12 || DnsWire.ReadUInt16(reply, reply.Length - 28) != 10 || DnsWire.ReadUInt16(reply, reply.Length - 26) != 24)
        {
            return null;
        }

        return Convert.ToHexStringLower(reply[^24..]);
    }

    /// <summary>The RCODE with the OPT record's upper bits (the OPT record has only the COOKIE option here, or none).</summary>
    private static int ExtendedRcode(ReadOnlySpan<byte> reply)
    {
        int optStart = reply.Length - (ReplyCookie(reply) is null ? 11 : 39);
        Assert.That(DnsWire.ReadUInt16(reply, optStart + 1), Is.EqualTo(41), "OPT last");
        return (reply[optStart + 5] << 4) | (reply[3] & 0xF);
    }

    private static (int Length, string? Cookie, QueryOutcome Outcome) Ask(QueryProcessor processor, byte[] query, bool overTcp = false,
        ClientAddress? from = null)
    {
        var response = new byte[DnsWire.MaxMessageLength];
        int length = processor.Process(query, response, from ?? Client, overTcp, out var outcome);
        return (length, ReplyCookie(response.AsSpan(0, length)), outcome);
    }

    [Test]
    public void AClientCookieAloneIsAnsweredWithAFreshServerCookie()
    {
        var processor = Processor();
        var response = new byte[DnsWire.ServerUdpPayload];
        int length = processor.Process(Query(ClientCookie), response, Client, overTcp: false, out var outcome);
        Assert.That(DnsWire.ReadUInt16(response, 6), Is.EqualTo(1), "the answer");
        Assert.That(ReplyCookie(response.AsSpan(0, length)), Does.StartWith(ClientCookie + "01000000" + "6553f100"), "client cookie, version 1, now");
        Assert.That((outcome.Cookie, ExtendedRcode(response.AsSpan(0, length))), Is.EqualTo((CookieOutcome.Fresh, 0)));
    }

    [Test]
    public void AValidServerCookieIsAcceptedOverUdpAndTcp()
    {
        var processor = Processor();
        string cookie = Ask(processor, Query(ClientCookie)).Cookie!;
        foreach (bool tcp in new[] { false, true })
        {
            var (length, echoed, outcome) = Ask(processor, Query(cookie), tcp);
            Assert.That((outcome.Cookie, echoed, outcome.ResponseCode), Is.EqualTo((CookieOutcome.Valid, cookie, 0)), tcp ? "TCP" : "UDP");
            Assert.That(length, Is.GreaterThan(60));
        }
    }

    [Test]
    public void AServerCookieFromAnotherAddressIsBadAndReplacedButTheQueryIsAnswered()
    {
        var processor = Processor();
        string cookie = Ask(processor, Query(ClientCookie)).Cookie!;
        var (_, replaced, outcome) = Ask(processor, Query(cookie), from: ClientAddress.FromIPv4(0xC6336465));
        Assert.That((outcome.Cookie, outcome.ResponseCode), Is.EqualTo((CookieOutcome.Bad, 0)));
        Assert.That(replaced, Is.Not.EqualTo(cookie).And.StartWith(ClientCookie));
    }

    [Test]
    public void AnExpiredServerCookieIsBad()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var processor = Processor(clock: clock);
        string cookie = Ask(processor, Query(ClientCookie)).Cookie!;
        clock.Advance(TimeSpan.FromSeconds(3601));
        Assert.That(Ask(processor, Query(cookie)).Outcome.Cookie, Is.EqualTo(CookieOutcome.Bad));
    }

    [TestCase("01")]
    [TestCase("01020304050607")]
    [TestCase("010203040506070809")]
    [TestCase("0102030405060708090a0b0c0d0e0f")]
    [TestCase("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627282930")]
    public void AMalformedCookieIsFormErr(string cookie)
    {
        var (length, _, outcome) = Ask(Processor(), Query(cookie));
        Assert.That((outcome.ResponseCode, outcome.Cookie), Is.EqualTo((ResponseCode.FormErr, CookieOutcome.None)));
        Assert.That(length, Is.GreaterThan(0));
    }

    [Test]
    public void WithCookiesOffTheOptionIsIgnored()
    {
        var processor = Processor(cookies: false);
        var (_, cookie, outcome) = Ask(processor, Query(ClientCookie));
        Assert.That((cookie, outcome.ResponseCode, outcome.Cookie), Is.EqualTo(((string?)null, 0, CookieOutcome.None)));
        Assert.That(Ask(processor, Query("01")).Outcome.ResponseCode, Is.Zero, "not even a malformed one is looked at");
        Assert.That(Ask(processor, Query(null)).Length, Is.EqualTo(Ask(processor, Query(ClientCookie)).Length));
    }

    [Test]
    public void AFloodIsLimitedButAValidServerCookieGetsEveryAnswer()
    {
        var processor = Processor(rate: 5, slip: 0);
        string cookie = Ask(processor, Query(ClientCookie), overTcp: true).Cookie!;

        // Without a cookie the /24 is limited to its 5 per second...
        var neighbour = ClientAddress.FromIPv4(0xC6336401); // 198.51.100.1, the same /24
        int plain = Enumerable.Range(0, 100).Count(_ => Ask(processor, Query(null), from: neighbour).Length > 0);
        Assert.That(plain, Is.EqualTo(5));

        // ...while the client holding a valid cookie gets every answer, in full.
        var answered = Enumerable.Range(0, 100).Select(_ => Ask(processor, Query(cookie))).ToList();
        Assert.That(answered.Count(a => a.Outcome.ResponseCode == 0 && a.Outcome.RateLimit == RateDecision.Send && a.Cookie == cookie), Is.EqualTo(100));
        Assert.That(processor.RateLimiter!.Dropped, Is.EqualTo(95));
    }

    [Test]
    public void AQueryWithoutAValidServerCookieThatWouldSlipGetsBadCookieInstead()
    {
        var processor = Processor(rate: 2, slip: 1);
        var response = new byte[DnsWire.ServerUdpPayload];
        var query = Query(ClientCookie);
        for (int i = 0; i < 2; i++)
        {
            Assert.That(processor.Process(query, response, Client, overTcp: false), Is.GreaterThan(60));
        }

        int length = processor.Process(query, response, Client, overTcp: false, out var outcome);
        var reply = response.AsSpan(0, length);
        Assert.That(ExtendedRcode(reply), Is.EqualTo(ResponseCode.BadCookie));
        Assert.That((outcome.ResponseCode, outcome.RateLimit, outcome.Truncated), Is.EqualTo((ResponseCode.BadCookie, RateDecision.Slip, false)));
        Assert.That((DnsWire.ReadUInt16(reply, 2) & (DnsWire.FlagTc | DnsWire.FlagAa), DnsWire.ReadUInt16(reply, 6)), Is.EqualTo((0, 0)), "no TC, no AA, no answer");
        string fresh = ReplyCookie(reply)!;
        Assert.That(fresh, Does.StartWith(ClientCookie));

        // The client retries with the cookie it was given, and is answered.
        var (_, _, retried) = Ask(processor, Query(fresh));
        Assert.That((retried.ResponseCode, retried.Cookie), Is.EqualTo((0, CookieOutcome.Valid)));

        // Without any cookie a slip stays TC=1.
        processor.Process(Query(null), response, Client, overTcp: false, out var plain);
        Assert.That((plain.RateLimit, plain.Truncated), Is.EqualTo((RateDecision.Slip, true)));
    }

    /// <summary>A query with no question (QDCOUNT 0) and an OPT record with a COOKIE of these hex octets, if any.</summary>
    private static byte[] NoQuestion(string? cookieHex)
    {
        var query = Query(cookieHex);
        int questionEnd = DnsWire.HeaderLength + "www.example.test".Length + 2 + 4;
        byte[] packet = [.. query[..DnsWire.HeaderLength], .. query[questionEnd..]];
        packet[5] = 0; // QDCOUNT
        return packet;
    }

    [Test]
    public void AQueryForAServerCookieAloneIsAnsweredWithOne()
    {
        // RFC 7873 5.4: no question, a client cookie: NOERROR, no question, the cookie.
        var processor = Processor();
        var (length, cookie, outcome) = Ask(processor, NoQuestion(ClientCookie));
        Assert.That((outcome.ResponseCode, outcome.Cookie), Is.EqualTo((ResponseCode.NoError, CookieOutcome.Fresh)));
        Assert.That(cookie, Does.StartWith(ClientCookie));
        Assert.That(length, Is.EqualTo(DnsWire.HeaderLength + 11 + 28), "header, OPT with the COOKIE");

        // With the cookie it was given: NOERROR and valid; with another: BADCOOKIE.
        Assert.That(Ask(processor, NoQuestion(cookie)).Outcome.Cookie, Is.EqualTo(CookieOutcome.Valid));
        var forged = cookie![..46] + (cookie[46] == '0' ? "1" : "0") + cookie[47];
        var response = new byte[DnsWire.ServerUdpPayload];
        int badLength = processor.Process(NoQuestion(forged), response, Client, overTcp: false, out var bad);
        Assert.That((bad.ResponseCode, ExtendedRcode(response.AsSpan(0, badLength))), Is.EqualTo((ResponseCode.BadCookie, ResponseCode.BadCookie)));
    }

    [Test]
    public void NoQuestionWithoutACookieOrWithCookiesOffIsFormErr()
    {
        Assert.That(Ask(Processor(), NoQuestion(null)).Outcome.ResponseCode, Is.EqualTo(ResponseCode.FormErr));
        Assert.That(Ask(Processor(), NoQuestion("0102")).Outcome.ResponseCode, Is.EqualTo(ResponseCode.FormErr), "malformed cookie");
        Assert.That(Ask(Processor(cookies: false), NoQuestion(ClientCookie)).Outcome.ResponseCode, Is.EqualTo(ResponseCode.FormErr));
    }
}
