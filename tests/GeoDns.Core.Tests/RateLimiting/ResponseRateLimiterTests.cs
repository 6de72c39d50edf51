using GeoDns.Core.RateLimiting;
using GeoDns.Core.Wire;
using Microsoft.Extensions.Time.Testing;

namespace GeoDns.Core.Tests.RateLimiting;

public sealed class ResponseRateLimiterTests
{
    private static readonly ClientAddress ClientA = ClientAddress.FromIPv4(0xC0000201); // 192.0.2.1
    private static readonly ClientAddress ClientASameSlash24 = ClientAddress.FromIPv4(0xC00002FE); // 192.0.2.254
    private static readonly ClientAddress ClientB = ClientAddress.FromIPv4(0xC6336401); // 198.51.100.1

    private static (ResponseRateLimiter Limiter, FakeTimeProvider Clock) Create(int rate = 10, int slip = 2, int window = 5, params string[] whitelist)
    {
        var clock = new FakeTimeProvider();
        var settings = new RrlSettings { ResponsesPerSecond = rate, Slip = slip, Window = window, Whitelist = [.. whitelist] };
        return (new ResponseRateLimiter(settings, clock), clock);
    }

    private static int[] Burst(ResponseRateLimiter limiter, ClientAddress client, int count, ResponseKind kind = ResponseKind.Answer, int name = 42)
    {
        var counts = new int[3];
        for (int i = 0; i < count; i++)
        {
            counts[(int)limiter.Check(client, kind, name)]++;
        }

        return counts;
    }

    [Test]
    public void ABurstOverTheRateIsLimited()
    {
        var (limiter, _) = Create(rate: 10, slip: 0);
        var counts = Burst(limiter, ClientA, 100);
        Assert.That(counts[(int)RateDecision.Send], Is.EqualTo(10));
        Assert.That(counts[(int)RateDecision.Drop], Is.EqualTo(90));
        Assert.That(limiter.Dropped, Is.EqualTo(90));
        Assert.That(limiter.Slipped, Is.Zero);
    }

    [Test]
    public void EveryNthLimitedResponseSlips()
    {
        var (limiter, _) = Create(rate: 10, slip: 3);
        var counts = Burst(limiter, ClientA, 10 + 90);
        Assert.That(counts[(int)RateDecision.Send], Is.EqualTo(10));
        Assert.That(counts[(int)RateDecision.Slip], Is.EqualTo(30));
        Assert.That(counts[(int)RateDecision.Drop], Is.EqualTo(60));
        Assert.That((limiter.Slipped, limiter.Dropped), Is.EqualTo((30L, 60L)));
    }

    [Test]
    public void SlipOneTruncatesEveryLimitedResponse()
    {
        var (limiter, _) = Create(rate: 5, slip: 1);
        var counts = Burst(limiter, ClientA, 20);
        Assert.That((counts[0], counts[1], counts[2]), Is.EqualTo((5, 15, 0)));
    }

    [Test]
    public void TheSamePrefixSharesABucket()
    {
        var (limiter, _) = Create(rate: 10, slip: 0);
        Burst(limiter, ClientA, 10);
        Assert.That(limiter.Check(ClientASameSlash24, ResponseKind.Answer, 42), Is.EqualTo(RateDecision.Drop));
    }

    [Test]
    public void ADifferentPrefixIsUnaffected()
    {
        var (limiter, _) = Create(rate: 10, slip: 0);
        Burst(limiter, ClientA, 1000);
        var counts = Burst(limiter, ClientB, 10);
        Assert.That(counts[(int)RateDecision.Send], Is.EqualTo(10));
    }

    [Test]
    public void ADifferentAnswerOrKindIsUnaffected()
    {
        var (limiter, _) = Create(rate: 10, slip: 0);
        Burst(limiter, ClientA, 1000, ResponseKind.Answer, name: 1);
        Assert.That(Burst(limiter, ClientA, 10, ResponseKind.Answer, name: 2)[0], Is.EqualTo(10));
        Assert.That(Burst(limiter, ClientA, 10, ResponseKind.NxDomain, name: 1)[0], Is.EqualTo(10));
        Assert.That(Burst(limiter, ClientA, 10, ResponseKind.Error, name: 0)[0], Is.EqualTo(10));
    }

    [Test]
    public void AWhitelistedPrefixIsNeverLimited()
    {
        var (limiter, _) = Create(10, 0, 5, "192.0.2.0/24", "2001:db8::/32");
        Assert.That(Burst(limiter, ClientA, 1000)[0], Is.EqualTo(1000));
        var v6 = ClientAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db8:1::5"));
        Assert.That(Burst(limiter, v6, 1000)[0], Is.EqualTo(1000));
        Assert.That(Burst(limiter, ClientB, 1000)[0], Is.EqualTo(10));
    }

    [Test]
    public void Ipv6ClientsShareASlash56()
    {
        var (limiter, _) = Create(rate: 10, slip: 0);
        var one = ClientAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db8:0:100::1"));
        var sameSlash56 = ClientAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db8:0:1ff::2"));
        var otherSlash56 = ClientAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db8:0:200::1"));
        Burst(limiter, one, 10);
        Assert.That(limiter.Check(sameSlash56, ResponseKind.Answer, 42), Is.EqualTo(RateDecision.Drop));
        Assert.That(limiter.Check(otherSlash56, ResponseKind.Answer, 42), Is.EqualTo(RateDecision.Send));
    }

    [Test]
    public void BucketsRefillAtTheRate()
    {
        var (limiter, clock) = Create(rate: 10, slip: 0, window: 1);
        Burst(limiter, ClientA, 10);
        Assert.That(limiter.Check(ClientA, ResponseKind.Answer, 42), Is.EqualTo(RateDecision.Drop));

        // Debt of one: after half a second (5 tokens) four responses go out.
        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.That(Burst(limiter, ClientA, 10)[0], Is.EqualTo(4));

        // A long pause refills to one second of credit, never more.
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.That(Burst(limiter, ClientA, 100)[0], Is.EqualTo(10));
    }

    [Test]
    public void AFloodStaysLimitedForTheWindow()
    {
        var (limiter, clock) = Create(rate: 10, slip: 0, window: 3);
        Burst(limiter, ClientA, 1000); // debt: 3 seconds of responses
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.That(limiter.Check(ClientA, ResponseKind.Answer, 42), Is.EqualTo(RateDecision.Drop));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.That(limiter.Check(ClientA, ResponseKind.Answer, 42), Is.EqualTo(RateDecision.Send));
    }

    [Test]
    public void AClientAtTheRateIsNeverLimited()
    {
        // 3 a second, asked every 334 ms: the fractions of a token carry over between checks.
        var (limiter, clock) = Create(rate: 3, slip: 0, window: 1);
        int sent = 0;
        for (int i = 0; i < 300; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(334));
            sent += limiter.Check(ClientA, ResponseKind.Answer, 42) == RateDecision.Send ? 1 : 0;
        }

        Assert.That(sent, Is.EqualTo(300));
    }

    [Test]
    public void LimitedResponsesCountAgainstTheBucket()
    {
        // As in BIND: a client asking four times the rate stays in debt and gets only slips.
        var (limiter, clock) = Create(rate: 1, slip: 2, window: 1);
        var counts = new int[3];
        for (int i = 0; i < 40; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(250));
            counts[(int)limiter.Check(ClientA, ResponseKind.Answer, 42)]++;
        }

        Assert.That(counts[(int)RateDecision.Send], Is.LessThanOrEqualTo(1));
        Assert.That(counts[(int)RateDecision.Slip], Is.InRange(19, 20));
    }

    [Test]
    public void ConcurrentChecksNeverGiveMoreThanTheRate()
    {
        var (limiter, _) = Create(rate: 1000, slip: 0);
        int sent = 0;
        Parallel.For(0, 4, _ =>
        {
            int mine = Burst(limiter, ClientA, 5000)[0];
            Interlocked.Add(ref sent, mine);
        });
        Assert.That(sent, Is.EqualTo(1000));
        Assert.That(limiter.Dropped, Is.EqualTo(19_000));
    }

    [TestCase(-1, 15, 2, "ResponsesPerSecond")]
    [TestCase(10, 0, 2, "Window")]
    [TestCase(100_000, 60, 2, "Window")]
    [TestCase(10, 15, 11, "Slip")]
    public void BadSettingsAreNamed(int rate, int window, int slip, string setting)
    {
        var settings = new RrlSettings { ResponsesPerSecond = rate, Window = window, Slip = slip };
        Assert.That(settings.Validate, Throws.TypeOf<FormatException>().With.Message.Contains(setting));
    }

    [Test]
    public void ABadWhitelistEntryIsNamed()
    {
        var settings = new RrlSettings { ResponsesPerSecond = 10, Whitelist = ["not-a-prefix"] };
        Assert.That(settings.Validate, Throws.TypeOf<FormatException>().With.Message.Contains("not-a-prefix"));
    }
}
