using System.Net.Http.Headers;
using GeoDns.Admin;
using GeoDns.Tests.Deploy;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;

namespace GeoDns.Tests.Dnssec;

/// <summary>
/// A validating Unbound on loopback, its only trust anchor the DS of a key BIND's
/// dnssec-keygen made, with a stub zone to a geodns serving that zone signed: every kind of
/// answer gets the AD flag, and after a region drain the new failover answer still does.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class UnboundValidationTests
{
    private const string Token = "dnssec-token";

    private const string Zone = """
        $ORIGIN gtm.test.
        $TTL 300
        @         SOA   ns hostmaster 1 3600 900 604800 60
        @         NS    ns
        ns        A     192.0.2.53
        www       A     192.0.2.1
        $REGION   eu    continents=EU lat=53.3 lon=-6.2
        $REGION   us    continents=NA lat=38.9 lon=-77.4
        geo       30 POOL   A policy=geo fallback=nearest max-answers=1 if-all-down=all
        geo       30 MEMBER eu 192.0.2.10
        geo       30 MEMBER us 192.0.2.11
        shop      CNAME geo
        spread    30 POOL   A policy=weighted
        spread    30 MEMBER eu 192.0.2.20
        spread    30 MEMBER us 192.0.2.21
        every     30 POOL   A policy=all
        every     30 MEMBER eu 192.0.2.30
        every     30 MEMBER us 192.0.2.31
        lb        1 POOL   A policy=failover
        lb        1 MEMBER eu 192.0.2.40
        lb        1 MEMBER us 192.0.2.41
        """;

    private string _folder = null!;
    private TestServer _server = null!;
    private ChildProcess _unbound = null!;
    private int _port;

    [OneTimeSetUp]
    public async Task Start()
    {
        _folder = Path.Combine(Path.GetTempPath(), "geodns-unbound-" + Guid.NewGuid().ToString("N"));
        string keys = Path.Combine(_folder, "keys");
        Directory.CreateDirectory(keys);
        await KeyDirectoryTests.DnssecKeygen(keys, "gtm.test", "ECDSAP256SHA256", []);
        string tokenFile = Path.Combine(_folder, "token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["gtm.test.zone"] = Zone },
            new Dictionary<string, string?> { ["Keys"] = keys, ["Admin"] = "127.0.0.1:0", ["AdminTokenFile"] = tokenFile });

        var ds = new StringWriter();
        Assert.That(GeoDns.Cli.DsCommand.Run(["gtm.test", "--keys", keys], ds, TextWriter.Null), Is.Zero);
        string dsLine = ds.ToString().Split('\n')[0];
        Assert.That(dsLine, Does.Match(@"^gtm\.test\. IN DS \d+ 13 2 [0-9A-F]{64}$"));

        _port = DeployFiles.FreeDnsPort();
        string config = Path.Combine(_folder, "unbound.conf");
        await File.WriteAllTextAsync(config, $"""
            server:
              interface: 127.0.0.1
              port: {_port}
              do-ip6: no
              chroot: ""
              username: ""
              directory: "{_folder}"
              pidfile: "{_folder}/unbound.pid"
              use-syslog: no
              logfile: ""
              do-not-query-localhost: no
              module-config: "validator iterator"
              cache-max-ttl: 1
              cache-max-negative-ttl: 1
              trust-anchor: "{dsLine.Replace(" IN DS ", " DS ", StringComparison.Ordinal)}"
              domain-insecure: "."
              local-zone: "test." nodefault
            remote-control:
              control-enable: no
            stub-zone:
              name: "gtm.test"
              stub-addr: 127.0.0.1@{_server.EndPoint.Port}
            """);
        _unbound = ChildProcess.Start("unbound", ["-d", "-c", config], _folder);
        for (int i = 0; i < 50 && !(await Dig("www.gtm.test A")).Contains("status: NOERROR", StringComparison.Ordinal); i++)
        {
            Assert.That(_unbound.HasExited, Is.False, _unbound.Output);
            await Task.Delay(100);
        }
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _unbound?.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [TestCase("gtm.test SOA", "NOERROR", "SOA")]
    [TestCase("gtm.test DNSKEY", "NOERROR", "DNSKEY")]
    [TestCase("www.gtm.test A", "NOERROR", "192.0.2.1")]
    [TestCase("shop.gtm.test A", "NOERROR", "192.0.2.1")]
    [TestCase("spread.gtm.test A", "NOERROR", "192.0.2.2")]
    [TestCase("every.gtm.test A", "NOERROR", "192.0.2.31")]
    [TestCase("lb.gtm.test A", "NOERROR", "192.0.2.40")]
    [TestCase("www.gtm.test AAAA", "NOERROR", "ANSWER: 0")]
    [TestCase("missing.gtm.test A", "NOERROR", "ANSWER: 0")]
    public async Task UnboundSetsAd(string query, string status, string expected)
    {
        string output = await Dig(query);
        Assert.That(output, Does.Contain($"status: {status}"));
        Assert.That(output, Does.Match(@"flags: qr rd ra ad;"), output);
        Assert.That(output, Does.Contain(expected));
    }

    [Test]
    public async Task AfterARegionDrainTheNewFailoverAnswerStillValidates()
    {
        using var http = new HttpClient { BaseAddress = _server.Services.GetRequiredService<AdminService>().Address, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using (var drained = await http.PostAsync("/api/v1/regions/eu/drain", content: null))
        {
            Assert.That(drained.IsSuccessStatusCode, Is.True);
        }

        try
        {
            string output = await DigUntil("lb.gtm.test A", "192.0.2.41"); // after Unbound's cache-max-ttl
            Assert.That(output, Does.Contain("192.0.2.41").And.Not.Contain("192.0.2.40"));
            Assert.That(output, Does.Match(@"flags: qr rd ra ad;"), output);
        }
        finally
        {
            using var undrained = await http.PostAsync("/api/v1/regions/eu/undrain", content: null);
            await DigUntil("lb.gtm.test A", "192.0.2.40"); // the other tests see the undrained answer, not Unbound's cached one
        }
    }

    private async Task<string> DigUntil(string query, string expected)
    {
        string output = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            output = await Dig(query);
            if (output.Contains(expected, StringComparison.Ordinal))
            {
                break;
            }
        }

        return output;
    }

    private Task<string> Dig(string query) =>
        DigTests.Dig(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, _port), query + " +dnssec");
}
