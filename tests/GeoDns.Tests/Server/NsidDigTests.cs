namespace GeoDns.Tests.Server;

/// <summary>NSID (RFC 5001) as operators see it: <c>dig +nsid</c> against a real listener.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class NsidDigTests
{
    private static async Task<string> DigNsid(IDictionary<string, string?> settings, string arguments = "www.example.test A +nsid +norec")
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["example.test.zone"] = TestZones.Conformance() }, settings);
        return await DigTests.Dig(server.EndPoint, arguments);
    }

    [Test]
    public async Task ByDefaultTheInstanceNameAnswers()
    {
        var output = await DigNsid(new Dictionary<string, string?> { ["Instance"] = "edge-ams-1" });
        Assert.That(output, Does.Contain("NSID: 65 64 67 65 2d 61 6d 73 2d 31 (\"edge-ams-1\")"), output);
        Assert.That(output, Does.Contain("status: NOERROR"));
    }

    [Test]
    public async Task TheNsidSettingAnswersItsText()
    {
        var output = await DigNsid(new Dictionary<string, string?> { ["Instance"] = "edge-ams-1", ["Nsid"] = "ams1" });
        Assert.That(output, Does.Contain("NSID: 61 6d 73 31 (\"ams1\")"), output);

        var refused = await DigNsid(new Dictionary<string, string?> { ["Nsid"] = "ams1" }, "www.example.org A +nsid");
        Assert.That(refused, Does.Contain("status: REFUSED").And.Contain("(\"ams1\")"), "errors with an OPT record carry it too");
    }

    [Test]
    public async Task OffSendsNone()
    {
        var output = await DigNsid(new Dictionary<string, string?> { ["Instance"] = "edge-ams-1", ["Nsid"] = "off" });
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Contain("status: NOERROR"));
            Assert.That(output, Does.Contain("OPT PSEUDOSECTION"), "EDNS still answered");
            Assert.That(output, Does.Not.Contain("NSID"));
        });
    }

    [Test]
    public async Task WithoutTheOptionNoneIsSent()
    {
        var output = await DigNsid(new Dictionary<string, string?> { ["Instance"] = "edge-ams-1" }, "www.example.test A +norec");
        Assert.That(output, Does.Not.Contain("NSID"));
    }
}
