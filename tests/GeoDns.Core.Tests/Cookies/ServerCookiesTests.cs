using System.Net;
using GeoDns.Core.Cookies;
using GeoDns.Core.Wire;
using Microsoft.Extensions.Time.Testing;

namespace GeoDns.Core.Tests.Cookies;

/// <summary>Server cookies as RFC 9018 makes them: its Appendix A test vectors, their lifetime, and secret rollover.</summary>
public sealed class ServerCookiesTests
{
    private const string SecretA = "e5e973e5a6b2a43f48e7dc849e37bfcf";

    private static ServerCookies Cookies(string secret, string? previous = null) =>
        new(Convert.FromHexString(secret), previous is null ? default : Convert.FromHexString(previous), new FakeTimeProvider());

    private static ClientAddress Address(string text) => ClientAddress.FromIPAddress(IPAddress.Parse(text));

    private static (CookieOutcome Outcome, string Reply) Answer(ServerCookies cookies, string option, string client, uint now)
    {
        var reply = new byte[ServerCookies.ReplyLength];
        var outcome = cookies.Answer(Convert.FromHexString(option), Address(client), now, reply);
        return (outcome, Convert.ToHexStringLower(reply));
    }

    [Test]
    public void A1LearningANewServerCookie()
    {
        var (outcome, reply) = Answer(Cookies(SecretA), "2464c4abcf10c957", "198.51.100.100", 1559731985);
        Assert.That((outcome, reply), Is.EqualTo((CookieOutcome.Fresh, "2464c4abcf10c957010000005cf79f111f8130c3eee29480")));
    }

    [Test]
    public void A2TheSameClientLearningARenewedServerCookie()
    {
        // 40 minutes later: still valid, older than half an hour, so renewed.
        var (outcome, reply) = Answer(Cookies(SecretA), "2464c4abcf10c957010000005cf79f111f8130c3eee29480", "198.51.100.100", 1559734385);
        Assert.That((outcome, reply), Is.EqualTo((CookieOutcome.Valid, "2464c4abcf10c957010000005cf7a871d4a564a1442aca77")));
    }

    [Test]
    public void A3AnotherClientLearningARenewedServerCookie()
    {
        // The query's cookie has reserved octets set (they are hashed as received) and was made
        // 1 h 52 min before: out of date here, so a new one is made, the one the RFC shows.
        const string query = "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5";
        var cookies = Cookies(SecretA);
        var (outcome, reply) = Answer(cookies, query, "203.0.113.203", 1559734700);
        Assert.That((outcome, reply), Is.EqualTo((CookieOutcome.Bad, "fc93fc62807ddb86010000005cf7a9acf73a7810aca2381e")));

        // Within its hour the same cookie verifies: the reserved octets were hashed as sent.
        Assert.That(Answer(cookies, query, "203.0.113.203", 0x5cf78f71 + 60).Outcome, Is.EqualTo(CookieOutcome.Valid));
        Assert.That(Answer(cookies, query, "203.0.113.204", 0x5cf78f71 + 60).Outcome, Is.EqualTo(CookieOutcome.Bad), "another address");
    }

    [Test]
    public void A4AnIPv6ClientAfterTheSecretRolledOver()
    {
        const string client = "2001:db8:220:1:59de:d0f4:8769:82b8";
        const string query = "22681ab97d52c298010000005cf7c57926556bd0934c72f8";
        const string oldSecret = "dd3bdf9344b678b185a6f5cb60fca715";
        const string newSecret = "445536bcd2513298075a5d379663c962";
        const string renewed = "22681ab97d52c298010000005cf7c609a6bb79d16625507a";

        Assert.That(Answer(Cookies(newSecret, previous: oldSecret), query, client, 1559741961),
            Is.EqualTo((CookieOutcome.Valid, renewed)), "made with the previous secret: accepted, renewed with the current one");
        Assert.That(Answer(Cookies(newSecret), query, client, 1559741961),
            Is.EqualTo((CookieOutcome.Bad, renewed)), "without the previous secret it is not accepted");
        Assert.That(Answer(Cookies(oldSecret), query, client, 1559741961).Outcome, Is.EqualTo(CookieOutcome.Valid));
    }

    [Test]
    public void AValidYoungCookieIsEchoedAsItCame()
    {
        const string query = "2464c4abcf10c957010000005cf79f111f8130c3eee29480";
        var (outcome, reply) = Answer(Cookies(SecretA), query, "198.51.100.100", 1559731985 + 1799);
        Assert.That((outcome, reply), Is.EqualTo((CookieOutcome.Valid, query)));
    }

    [TestCase(3600, CookieOutcome.Valid)]
    [TestCase(3601, CookieOutcome.Bad)]
    [TestCase(-300, CookieOutcome.Valid)]
    [TestCase(-301, CookieOutcome.Bad)]
    public void ACookieLivesAnHourAndMayComeFiveMinutesEarly(int age, CookieOutcome expected)
    {
        const string query = "2464c4abcf10c957010000005cf79f111f8130c3eee29480";
        Assert.That(Answer(Cookies(SecretA), query, "198.51.100.100", (uint)(1559731985 + age)).Outcome, Is.EqualTo(expected));
    }

    [Test]
    public void ACookieMadeJustBeforeTheTimestampWrapsIsStillValidAfter()
    {
        var cookies = Cookies(SecretA);
        var reply = new byte[ServerCookies.ReplyLength];
        Convert.FromHexString("0102030405060708").CopyTo(reply, 0);
        cookies.Make(reply, Address("192.0.2.1"), uint.MaxValue - 100);
        Assert.That(cookies.Answer(reply, Address("192.0.2.1"), 1000, new byte[ServerCookies.ReplyLength]), Is.EqualTo(CookieOutcome.Valid));
    }

    [TestCase("2464c4abcf10c957020000005cf79f111f8130c3eee29480", Description = "version 2")]
    [TestCase("2464c4abcf10c957010000005cf79f111f8130c3eee29481", Description = "hash off by one bit")]
    [TestCase("2464c4abcf10c958010000005cf79f111f8130c3eee29480", Description = "another client cookie")]
    [TestCase("2464c4abcf10c9570102030405060708", Description = "an 8-octet server cookie")]
    [TestCase("2464c4abcf10c957010000005cf79f111f8130c3eee2948000", Description = "17 octets")]
    public void ACookieThatDoesNotVerifyIsBadAndReplaced(string query)
    {
        var cookies = Cookies(SecretA);
        var (outcome, reply) = Answer(cookies, query, "198.51.100.100", 1559731985);
        var fresh = Answer(cookies, query[..16], "198.51.100.100", 1559731985);
        Assert.That((outcome, reply), Is.EqualTo((CookieOutcome.Bad, fresh.Reply)), "the cookie a client cookie alone would get");
    }

    [TestCase(0, false)]
    [TestCase(7, false)]
    [TestCase(8, true)]
    [TestCase(9, false)]
    [TestCase(15, false)]
    [TestCase(16, true)]
    [TestCase(40, true)]
    [TestCase(41, false)]
    public void OnlyRfc7873LengthsAreWellFormed(int length, bool wellFormed) =>
        Assert.That(ServerCookies.IsWellFormed(length), Is.EqualTo(wellFormed));
}
