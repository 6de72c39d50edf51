using System.Globalization;

namespace GeoDns.Tests.Transfers;

/// <summary>The served serial of a transferred zone does not go back when GeoDns restarts on the same file.</summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class SerialRestartTests
{
    [Test]
    public async Task ARestartServesAHigherSerial()
    {
        using var fixture = new TransferFixture("""
            $ORIGIN example.test.
            @    300 SOA ns1 hostmaster 5 7200 900 1209600 60
            @    300 NS  ns1
            ns1  300 A   192.0.2.53
            """);
        var serials = new List<uint>();
        for (int run = 0; run < 2; run++)
        {
            using var server = fixture.Serve("restart-" + run);
            // Longer than the wait itself, so a server that never answers fails with its output.
            using var ready = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await server.WaitReadyAsync("ns1.example.test.", "192.0.2.53", TimeSpan.FromSeconds(60), ready.Token);
            string soa = "";
            for (int i = 0; i < 50 && !server.Output.Contains("now serves serial", StringComparison.Ordinal); i++)
            {
                await Task.Delay(100);
            }

            soa = await TransferFixture.Dig(server.Dns, "example.test SOA +short");
            serials.Add(uint.Parse(soa.Split(' ')[2], CultureInfo.InvariantCulture));
            Assert.That(server.Output, Does.Contain("Zone example.test. now serves serial " + serials[^1] + " (zone loaded)"));
        }

        Assert.That(serials[0], Is.GreaterThan(5u), "moved on from the file's serial to the clock");
        Assert.That(serials[1], Is.GreaterThanOrEqualTo(serials[0]), "the restarted server's serial is not below the one served before (equal only within the same second)");
    }
}
