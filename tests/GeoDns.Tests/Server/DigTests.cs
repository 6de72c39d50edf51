using System.Diagnostics;

namespace GeoDns.Tests.Server;

/// <summary>The client operators test with: dig, against a real listener.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class DigTests
{
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["example.test.zone"] = TestZones.Conformance() });
    }

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    public static async Task<string> Dig(System.Net.IPEndPoint server, string arguments)
    {
        var start = new ProcessStartInfo("dig", $"@{server.Address} -p {server.Port} +time=2 +tries=1 {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dig did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return output;
    }

    [Test]
    public async Task DigSeesAnAuthoritativeAnswer()
    {
        var output = await Dig(_server.EndPoint, "www.example.test A +norec");
        Assert.That(output, Does.Contain("status: NOERROR"));
        Assert.That(output, Does.Match(@"flags: qr aa;"));
        Assert.That(output, Does.Contain("192.0.2.1"));
    }

    [Test]
    public async Task DigFallsBackToTcpOnTruncation()
    {
        var output = await Dig(_server.EndPoint, "huge.example.test TXT +norec");
        Assert.That(output, Does.Contain("Truncated, retrying in TCP mode"));
        Assert.That(output, Does.Contain("ANSWER: 1"));
    }

    [Test]
    public async Task DigSeesNxDomain()
    {
        var output = await Dig(_server.EndPoint, "missing.example.test A");
        Assert.That(output, Does.Contain("status: NXDOMAIN"));
        Assert.That(output, Does.Contain("AUTHORITY: 1"));
    }

    [Test]
    public async Task DigWithClientSubnetGetsScopeBack()
    {
        var output = await Dig(_server.EndPoint, "www.example.test A +subnet=198.51.100.0/24");
        Assert.That(output, Does.Contain("CLIENT-SUBNET: 198.51.100.0/24/0"));
    }
}
