using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;

namespace GeoDns.Tests.Server;

/// <summary>
/// DNS cookies (RFC 7873, RFC 9018) as operators see them: <c>dig +cookie</c> against real
/// listeners over UDP and TCP, and servers sharing a secret accepting each other's cookies.
/// A server echoes a valid young cookie unchanged and replaces any other with one stamped with
/// the current second, which is how these tests see whether it validated one: they send a
/// cookie back at least a second after it was made.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
[CancelAfter(60_000)]
public sealed partial class CookieDigTests
{
    internal const string Secret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    internal static Task<TestServer> StartAsync(string? secret, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>();
        if (secret is not null)
        {
            settings["Cookies:Secret"] = secret;
        }

        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return TestServer.StartAsync(new Dictionary<string, string> { ["example.test.zone"] = TestZones.Conformance() }, settings);
    }

    /// <summary>The COOKIE dig printed (client and server cookie, hex), asserting dig found the client half its own.</summary>
    internal static string ReplyCookie(string output)
    {
        var match = DigCookie().Match(output);
        Assert.That(match.Success, Is.True, output);
        Assert.That(match.Groups["verdict"].Value, Is.EqualTo("good"), output);
        return match.Groups["cookie"].Value.ToLowerInvariant();
    }

    [GeneratedRegex(@"; COOKIE: (?<cookie>[0-9a-fA-F]{48}) \((?<verdict>[a-z ]+)\)")]
    private static partial Regex DigCookie();

    [Test]
    public async Task DigLearnsACookieAndTheServerAcceptsItOverUdpAndTcp()
    {
        await using var server = await StartAsync(Secret);
        string first = ReplyCookie(await DigTests.Dig(server.EndPoint, "www.example.test A +norec +cookie=0102030405060708"));
        Assert.That(first, Does.StartWith("0102030405060708" + "01000000"), "client cookie, then version 1 and reserved 0");
        await Task.Delay(1100);

        foreach (string transport in new[] { "+notcp", "+tcp" })
        {
            var output = await DigTests.Dig(server.EndPoint, $"www.example.test A +norec {transport} +cookie={first}");
            Assert.That(output, Does.Contain("status: NOERROR").And.Contain("192.0.2.1"), transport);
            Assert.That(ReplyCookie(output), Is.EqualTo(first), $"{transport}: a valid cookie comes back as it was sent");
        }

        // One octet of the hash changed: not this server's, so the answer carries a new one.
        string forged = first[..46] + (first[46] == '0' ? "1" : "0") + first[47];
        var replaced = await DigTests.Dig(server.EndPoint, $"www.example.test A +norec +cookie={forged}");
        Assert.That(replaced, Does.Contain("status: NOERROR"), "a bad cookie over UDP is still answered");
        Assert.That(ReplyCookie(replaced), Is.Not.EqualTo(forged).And.StartWith("0102030405060708"));
    }

    [Test]
    public async Task DigWithoutAQuestionLearnsACookie()
    {
        // dig +header-only sends no question: RFC 7873 5.4, a query for a server cookie.
        await using var server = await StartAsync(Secret);
        var output = await DigTests.Dig(server.EndPoint, "+header-only +cookie=0102030405060708");
        Assert.That(output, Does.Contain("status: NOERROR").And.Contain("QUERY: 0"), output);
        Assert.That(ReplyCookie(output), Does.StartWith("0102030405060708" + "01000000"));
    }

    [Test]
    public async Task DigWithACookieOfItsOwnChoosingGetsOne()
    {
        await using var server = await StartAsync(secret: null);
        var output = await DigTests.Dig(server.EndPoint, "www.example.test A +norec +cookie");
        Assert.That(ReplyCookie(output), Has.Length.EqualTo(48), "on by default, with a random secret");
    }

    [Test]
    public async Task AMalformedCookieIsFormErr()
    {
        await using var server = await StartAsync(Secret);
        var output = await DigTests.Dig(server.EndPoint, "www.example.test A +norec +cookie=0102030405060708090a");
        Assert.That(output, Does.Contain("status: FORMERR"), output);
    }

    [Test]
    public async Task OffIgnoresTheOption()
    {
        await using var server = await StartAsync(Secret, new Dictionary<string, string?> { ["Cookies:Enabled"] = "false" });
        var output = await DigTests.Dig(server.EndPoint, "www.example.test A +norec +cookie");
        Assert.That(output, Does.Contain("status: NOERROR").And.Contain("OPT PSEUDOSECTION"));
        Assert.That(output, Does.Not.Contain("COOKIE:"));
    }

    [Test]
    public async Task TwoServersWithTheSameSecretAcceptEachOthersCookies()
    {
        await using var first = await StartAsync(Secret);
        await using var second = await StartAsync(Secret);
        await using var other = await StartAsync("00112233445566778899aabbccddeeff");
        string cookie = ReplyCookie(await DigTests.Dig(first.EndPoint, "www.example.test A +norec +cookie=a1a2a3a4a5a6a7a8"));
        await Task.Delay(1100);

        Assert.That(ReplyCookie(await DigTests.Dig(second.EndPoint, $"www.example.test A +norec +cookie={cookie}")), Is.EqualTo(cookie),
            "the second server validates the first one's cookie");
        Assert.That(ReplyCookie(await DigTests.Dig(other.EndPoint, $"www.example.test A +norec +cookie={cookie}")), Is.Not.EqualTo(cookie),
            "a server with another secret does not");
    }

    [Test]
    public async Task ASecretFileWithASecondSecretAcceptsCookiesMadeWithIt()
    {
        string file = Path.Combine(Path.GetTempPath(), "geodns-cookie-" + Guid.NewGuid().ToString("N") + ".secret");
        await File.WriteAllTextAsync(file, $"00112233445566778899aabbccddeeff\n{Secret}\n");
        try
        {
            await using var old = await StartAsync(Secret);
            await using var rolled = await StartAsync(secret: null, new Dictionary<string, string?>
            {
                ["Cookies:SecretFile"] = file,

                // One reply a second, the rest dropped: only a valid cookie gets through once the bucket is empty.
                ["Rrl:ResponsesPerSecond"] = "1",
                ["Rrl:Slip"] = "0",
                ["Rrl:Window"] = "60",
            });
            string cookie = ReplyCookie(await DigTests.Dig(old.EndPoint, "www.example.test A +norec +cookie=b1b2b3b4b5b6b7b8"));
            for (int i = 0; i < 5; i++)
            {
                await DnsTestClient.UdpRawAsync(rolled.EndPoint, new QueryBuilder { Name = "www.example.test", Id = (ushort)i }.Build(), TimeSpan.FromMilliseconds(200));
            }

            var accepted = await DigTests.Dig(rolled.EndPoint, $"www.example.test A +norec +cookie={cookie}");
            Assert.That(accepted, Does.Contain("status: NOERROR"), "a cookie made with the second secret is valid: not rate-limited");
            Assert.That(ReplyCookie(accepted), Is.Not.EqualTo(cookie).And.StartWith("b1b2b3b4b5b6b7b8"), "and replaced by one made with the first");

            string forged = cookie[..46] + (cookie[46] == '0' ? "1" : "0") + cookie[47];
            var refused = await DigTests.Dig(rolled.EndPoint, $"www.example.test A +norec +cookie={forged}");
            Assert.That(refused, Does.Not.Contain("status: NOERROR"), "a cookie that does not verify is limited as any query");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task AReloadReadsANewSecretFromTheFileAndABrokenFileKeepsTheOldOne()
    {
        const string next = "00112233445566778899aabbccddeeff";
        string file = Path.Combine(Path.GetTempPath(), "geodns-cookie-" + Guid.NewGuid().ToString("N") + ".secret");
        await File.WriteAllTextAsync(file, Secret + "\n");
        try
        {
            await using var server = await StartAsync(secret: null, new Dictionary<string, string?> { ["Cookies:SecretFile"] = file });
            await using var nextOnly = await StartAsync(next);
            var zones = server.Services.GetRequiredService<Hosting.ZoneStore>();

            // Rollover step 2: the new secret first, the old one accepted. After a reload the
            // server makes cookies that a server holding only the new secret accepts.
            await File.WriteAllTextAsync(file, $"{next}\n{Secret}\n");
            zones.Reload();
            string made = ReplyCookie(await DigTests.Dig(server.EndPoint, "www.example.test A +norec +cookie=c1c2c3c4c5c6c7c8"));
            await Task.Delay(1100);
            Assert.That(ReplyCookie(await DigTests.Dig(nextOnly.EndPoint, $"www.example.test A +norec +cookie={made}")), Is.EqualTo(made),
                "the reloaded server makes cookies with the new secret");

            // A malformed file: the secret in use stays.
            await File.WriteAllTextAsync(file, "not a secret\n");
            zones.Reload();
            made = ReplyCookie(await DigTests.Dig(server.EndPoint, "www.example.test A +norec +cookie=d1d2d3d4d5d6d7d8"));
            Assert.That(made, Does.StartWith("d1d2d3d4d5d6d7d8"));
            await Task.Delay(1100);
            Assert.That(ReplyCookie(await DigTests.Dig(nextOnly.EndPoint, $"www.example.test A +norec +cookie={made}")), Is.EqualTo(made),
                "a broken file keeps the secret already loaded");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task KnotWithTheSameSecretAndGeoDnsAcceptEachOthersCookies()
    {
        const string zone = """
            $ORIGIN example.test.
            $TTL 300
            @   SOA ns1 hostmaster 1 3600 900 604800 120
            @   NS  ns1
            ns1 A   192.0.2.53
            www A   192.0.2.1
            """;
        using var knot = await Health.KnotServer.StartAsync(new Dictionary<string, string?> { ["example.test."] = zone }, cookieSecret: Secret);
        await using var geodns = await StartAsync(Secret);
        var knotEndPoint = new System.Net.IPEndPoint(Health.KnotServer.Address, knot.Port);

        // Knot answers a query without a valid server cookie with BADCOOKIE (dig then retries with
        // the cookie it was given): a query it answers at once carried a cookie Knot accepts.
        string ours = ReplyCookie(await DigTests.Dig(geodns.EndPoint, "www.example.test A +norec +cookie=d1d2d3d4d5d6d7d8"));
        var atKnot = await DigTests.Dig(knotEndPoint, $"www.example.test A +norec +cookie={ours}");
        Assert.That(atKnot, Does.Contain("status: NOERROR").And.Not.Contain("BADCOOKIE"), "Knot accepts the cookie GeoDns made");
        string forged = ours[..46] + (ours[46] == '0' ? "1" : "0") + ours[47];
        Assert.That(await DigTests.Dig(knotEndPoint, $"www.example.test A +norec +cookie={forged}"), Does.Contain("BADCOOKIE"), "and not a forged one");

        string theirs = ReplyCookie(await DigTests.Dig(knotEndPoint, "www.example.test A +norec +cookie=e1e2e3e4e5e6e7e8"));
        await Task.Delay(1100);
        Assert.That(ReplyCookie(await DigTests.Dig(geodns.EndPoint, $"www.example.test A +norec +cookie={theirs}")), Is.EqualTo(theirs),
            "GeoDns accepts the cookie Knot made");
    }
}
