using GeoDns.Core.Cookies;
using GeoDns.Core.Wire;
using GeoDns.Hosting;

namespace GeoDns.Tests.Server;

/// <summary>The cookie secret from settings or a file: what is accepted, and the one-line errors for what is not.</summary>
public sealed class CookieSettingsTests
{
    private const string Current = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private const string Second = "00112233445566778899aabbccddeeff";
    private static readonly ClientAddress Client = ClientAddress.FromIPv4(0xC0000201);

    private string _file = null!;

    [SetUp]
    public void CreateFile() => _file = Path.Combine(Path.GetTempPath(), "geodns-cookie-" + Guid.NewGuid().ToString("N") + ".secret");

    [TearDown]
    public void DeleteFile() => File.Delete(_file);

    /// <summary>Whether <paramref name="cookies"/> accepts a cookie made under <paramref name="secret"/>.</summary>
    private static bool Accepts(ServerCookies cookies, string secret)
    {
        var maker = new ServerCookies(Convert.FromHexString(secret), default, TimeProvider.System);
        var cookie = new byte[ServerCookies.ReplyLength];
        maker.Make(cookie, Client, maker.Now());
        return cookies.Answer(cookie, Client, cookies.Now(), new byte[ServerCookies.ReplyLength]) == CookieOutcome.Valid;
    }

    [Test]
    public void AFileGivesTheSecretAndASecondOneAccepted()
    {
        File.WriteAllText(_file, $"# made with openssl rand -hex 16\n\n{Current}\n  {Second.ToUpperInvariant()}  \n");
        var cookies = new CookieSettings { SecretFile = _file }.Build(TimeProvider.System)!;
        Assert.That((Accepts(cookies, Current), Accepts(cookies, Second), Accepts(cookies, "ffeeddccbbaa99887766554433221100")), Is.EqualTo((true, true, false)));

        // Cookies are made with the first line's secret only.
        var cookie = new byte[ServerCookies.ReplyLength];
        cookies.Make(cookie, Client, cookies.Now());
        var onlyCurrent = new CookieSettings { Secret = Current }.Build(TimeProvider.System)!;
        var onlySecond = new CookieSettings { Secret = Second }.Build(TimeProvider.System)!;
        Assert.That(onlyCurrent.Answer(cookie, Client, cookies.Now(), new byte[24]), Is.EqualTo(CookieOutcome.Valid));
        Assert.That(onlySecond.Answer(cookie, Client, cookies.Now(), new byte[24]), Is.EqualTo(CookieOutcome.Bad));
    }

    [Test]
    public void SettingsGiveTheSameAsTheFile()
    {
        var cookies = new CookieSettings { Secret = Current, PreviousSecret = Second }.Build(TimeProvider.System)!;
        Assert.That((Accepts(cookies, Current), Accepts(cookies, Second)), Is.EqualTo((true, true)));
    }

    [Test]
    public void WithoutASecretEachProcessDrawsItsOwn()
    {
        var first = new CookieSettings().Build(TimeProvider.System)!;
        var second = new CookieSettings().Build(TimeProvider.System)!;
        var cookie = new byte[ServerCookies.ReplyLength];
        first.Make(cookie, Client, first.Now());
        Assert.That(first.Answer(cookie, Client, first.Now(), new byte[24]), Is.EqualTo(CookieOutcome.Valid));
        Assert.That(second.Answer(cookie, Client, second.Now(), new byte[24]), Is.EqualTo(CookieOutcome.Bad));
    }

    [Test]
    public void OffBuildsNothing() => Assert.That(new CookieSettings { Enabled = false, Secret = Current }.Build(TimeProvider.System), Is.Null);

    [Test]
    public void AMalformedLineIsNamedByFileAndLineWithoutItsValue()
    {
        File.WriteAllText(_file, $"{Current}\nnot-a-secret-but-private-text\n");
        var error = Assert.Throws<FormatException>(() => new CookieSettings { SecretFile = _file }.Build(TimeProvider.System));
        Assert.That(error!.Message, Is.EqualTo($"{_file}:2: a cookie secret is 32 hex digits (16 octets); got 29 characters"));
        Assert.That(error.Message, Does.Not.Contain("private"));
    }

    [Test]
    public void ThreeSecretsAreTooMany()
    {
        File.WriteAllText(_file, $"{Current}\n{Second}\n{Current}\n");
        var error = Assert.Throws<FormatException>(() => new CookieSettings { SecretFile = _file }.Build(TimeProvider.System));
        Assert.That(error!.Message, Does.StartWith($"{_file}: give the secret on one line").And.EndWith("found 3 lines"));
    }

    [Test]
    public void AMissingFileIsNamed()
    {
        var error = Assert.Throws<FormatException>(() => new CookieSettings { SecretFile = _file }.Build(TimeProvider.System));
        Assert.That(error!.Message, Does.StartWith($"cookie secret file {_file} cannot be read"));
    }

    [TestCase("0f1e2d3c", null, "Cookies:Secret: a cookie secret is 32 hex digits (16 octets); got 8 characters")]
    [TestCase("0f1e2d3c4b5a69788796a5b4c3d2e1fg", null, "Cookies:Secret: a cookie secret is 32 hex digits (16 octets); got 32 characters")]
    [TestCase(Current, "abc", "Cookies:PreviousSecret: a cookie secret is 32 hex digits (16 octets); got 3 characters")]
    [TestCase(null, Second, "Cookies:PreviousSecret is set without Cookies:Secret")]
    public void BadSettingsAreNamed(string? secret, string? previous, string message)
    {
        var error = Assert.Throws<FormatException>(() => new CookieSettings { Secret = secret, PreviousSecret = previous }.Build(TimeProvider.System));
        Assert.That(error!.Message, Is.EqualTo(message));
    }

    [Test]
    public void AFileAndASettingAreNotBothTaken()
    {
        File.WriteAllText(_file, Current);
        var error = Assert.Throws<FormatException>(() => new CookieSettings { SecretFile = _file, Secret = Second }.Build(TimeProvider.System));
        Assert.That(error!.Message, Does.Contain("not both"));
    }

    [Test]
    public void ServeStopsAtStartOnABadSecret()
    {
        var error = Assert.Throws<FormatException>(() => GeoDnsHost.Build(new Dictionary<string, string?>
        {
            ["Zones"] = Path.GetTempPath(),
            ["Cookies:Secret"] = "nope",
        }).Dispose());
        Assert.That(error!.Message, Does.StartWith("Cookies:Secret: a cookie secret is 32 hex digits"));
    }
}
