using System.Diagnostics;
using System.Net;
using GeoDns.Tests.EndToEnd;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace GeoDns.Tests.Admin;

/// <summary>
/// The status page in a real headless Chromium (Debian's <c>/usr/bin/chromium</c>, driven by
/// Playwright; no browser is downloaded) against a real <c>geodns serve</c> with real TCP
/// backends: a killed backend turns its member down on the page without a reload, and a drain
/// clicked on the page (token typed into the prompt) changes the page and the DNS answer.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class StatusPageBrowserTests : ProcessFixture
{
    protected override string FolderPrefix => "geodns-page-";

    private const string Chromium = "/usr/bin/chromium";
    private const string Name = "www.gtm.page.test.";
    private const string Pool = "www.gtm.page.test.";
    private const string Eu = "198.51.100.10";
    private const string Us = "192.0.2.10";
    private const string Ap = "203.0.113.10";
    private const string Token = "page-token-5e1f";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);
    private static readonly float Bound = 15_000;

    private static readonly string[] LaunchArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];


    [Test]
    public async Task BackendDeathAndADrainClickShowOnThePageWithoutReloadAndTheDrainMovesTheDnsAnswer(CancellationToken token)
    {
        if (!File.Exists(Chromium))
        {
            Assert.Fail($"{Chromium} is missing: this test drives Debian's chromium (apt-get install chromium; .ci/run installs it)");
        }

        var total = Stopwatch.StartNew();
        var eu = Own(new TcpBackend());
        var us = Own(new TcpBackend());
        var ap = Own(new TcpBackend());
        var zones = Path.Combine(Folder.FullName, "zones");
        Directory.CreateDirectory(zones);
        var tokenFile = Path.Combine(Folder.FullName, "token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n", token);
        await File.WriteAllTextAsync(Path.Combine(zones, "page.test.zone"), $"""
            $ORIGIN page.test.
            $TTL 60
            @        SOA    ns1 hostmaster 7 7200 900 1209600 60
            @        NS     ns1
            ns1      A      192.0.2.53
            $REGION  eu-west   continents=EU countries=IE
            $REGION  us-east   continents=NA countries=US
            $REGION  ap-south  continents=AS countries=IN
            $CHECK   alive tcp port={eu.Port} target=127.0.0.1 interval=250ms timeout=200ms rise=2 fall=2
            www.gtm  5  POOL    A  policy=failover max-answers=1 check=alive
            www.gtm  5  MEMBER  eu-west   {Eu} port={eu.Port}
            www.gtm  5  MEMBER  us-east   {Us} port={us.Port}
            www.gtm  5  MEMBER  ap-south  {Ap} port={ap.Port}
            """, token);

        var geodns = Own(ServeInstance.Start("page", zones, tokenFile: tokenFile));
        await geodns.WaitReadyAsync(Name, Eu, StartLimit, token);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = LaunchArgs,
            Timeout = 30_000,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var prompts = 0;
        page.Dialog += async (_, dialog) =>
        {
            prompts++;
            await dialog.AcceptAsync(Token);
        };

        var opened = Stopwatch.StartNew();
        await page.GotoAsync(geodns.Admin!.ToString(), new PageGotoOptions { Timeout = 15_000 });
        var pool = page.Locator($"div.pool[data-pool='{Pool}']");
        await Expect(pool).ToBeVisibleAsync(new() { Timeout = Bound });
        var euRow = pool.Locator($"tr.member[data-member='{Eu}']");
        var usRow = pool.Locator($"tr.member[data-member='{Us}']");
        await Expect(euRow).ToHaveAttributeAsync("data-health", "up", new() { Timeout = Bound });
        await Expect(page.Locator("#live")).ToHaveTextAsync("live", new() { Timeout = Bound });
        await Expect(page.Locator("#zones tbody")).ToContainTextAsync("page.test.", new() { Timeout = Bound });
        await page.EvaluateAsync("() => { window.geodnsNoReload = 'same page'; }");

        // Probe latency and the sparkline fill in from the periodic re-read (probes every 250 ms).
        await Expect(euRow.Locator("td.latency")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+\.\d ms$"), new() { Timeout = Bound });
        await Expect(euRow.Locator("td.last-error")).ToHaveTextAsync("");
        await page.WaitForFunctionAsync($"() => Number(document.querySelector(\"div.pool tr.member[data-member='{Eu}'] svg.sparkline\")?.dataset.samples) >= 3",
            null, new() { Timeout = Bound });
        Assert.That(await euRow.Locator("svg.sparkline polyline").GetAttributeAsync("points"), Does.Match(@"^[\d.]+,[\d.]+( [\d.]+,[\d.]+){2,}"),
            "the sparkline draws one point per passing probe");

        // The primary's backend dies: its member turns down (red) on the page, from the event stream alone.
        var died = Stopwatch.StartNew();
        eu.Dispose();
        await Expect(euRow).ToHaveAttributeAsync("data-health", "down", new() { Timeout = Bound });
        await Expect(euRow).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bdown\b"));
        await Expect(euRow.Locator("td.serving")).ToHaveTextAsync("not serving");
        string background = await euRow.Locator("td").First.EvaluateAsync<string>("td => getComputedStyle(td).backgroundColor");
        Assert.That(background, Is.EqualTo("rgb(252, 232, 230)"), "the down member's row is not red");
        await Expect(page.Locator("#transitions tbody")).ToContainTextAsync(Eu, new() { Timeout = Bound });
        await Expect(euRow.Locator("td.last-error")).ToContainTextAsync("port " + eu.Port, new() { Timeout = Bound });
        await Expect(euRow.Locator("svg.sparkline circle.failed").First).ToBeAttachedAsync(new() { Timeout = Bound });
        await Expect(euRow.Locator("td.latency")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^failed after "), new() { Timeout = Bound });
        TestContext.Out.WriteLine($"backend killed -> member down on the page after {died.Elapsed.TotalSeconds:0.00} s");
        Assert.That(await geodns.TimeUntilAnswerAsync(Name, Us, TimeSpan.FromSeconds(10), token), Is.Not.Null, "DNS did not move to us-east");

        // A drain clicked on the page (the token typed into the prompt) drains us-east: page and DNS follow.
        await page.Locator(".region[data-region='us-east'] button.drain").ClickAsync();
        await Expect(usRow).ToHaveAttributeAsync("data-drained", "true", new() { Timeout = Bound });
        await Expect(usRow.Locator(".flag-drained")).ToBeVisibleAsync();
        await Expect(usRow).ToHaveAttributeAsync("data-serving", "false");
        await Expect(page.Locator(".region[data-region='us-east'] button.undrain")).ToBeVisibleAsync();
        Assert.That(prompts, Is.EqualTo(1), "the page asks for the token once");
        Assert.That(await geodns.TimeUntilAnswerAsync(Name, Ap, TimeSpan.FromSeconds(10), token), Is.Not.Null,
            $"DNS still answers {await geodns.AskAsync(Name, token)} after the drain of us-east clicked on the page");
        Assert.That(await geodns.OverridesAsync(token), Is.EqualTo("drain us-east"));
        await Expect(page.Locator("#transitions tbody")).ToContainTextAsync("region drained by an operator", new() { Timeout = Bound });
        await Expect(page.Locator("#overrides")).ToContainTextAsync("region us-east drained");

        Assert.That(await page.EvaluateAsync<string?>("() => window.geodnsNoReload ?? null"), Is.EqualTo("same page"), "the page was reloaded");
        Assert.That(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('geodns-admin-token')"), Is.EqualTo(Token));
        Assert.That(await page.EvaluateAsync<string?>("() => localStorage.getItem('geodns-admin-token')"), Is.Null);

        string screenshot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "status-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.AddTestAttachment(screenshot, "the status page after the backend death and the drain");
        TestContext.Out.WriteLine($"page open for {opened.Elapsed.TotalSeconds:0.0} s; whole test {total.Elapsed.TotalSeconds:0.0} s; screenshot {screenshot}");
    }
}
