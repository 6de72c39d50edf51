using GeoDns.Tests.Dnssec;
using GeoDns.Tests.EndToEnd;

namespace GeoDns.Tests.Transfers;

/// <summary>
/// A zone GeoDns signs online is never transferred: a secondary would serve it without its
/// signatures (bogus for every validating resolver). The same key and rule that transfer an
/// unsigned zone get REFUSED for a signed one, with a log line that says why.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class SignedZoneTransferTests
{
    private const string ZoneText = """
        $ORIGIN example.test.
        $TTL 300
        @        SOA    ns1 hostmaster 7 7200 900 1209600 60
        @        NS     ns1
        ns1      A      192.0.2.53
        info     TXT    "hello"
        """;

    [Test]
    public async Task ASignedZoneIsRefusedWithTheReasonLoggedWhileItStillAnswersQueries(CancellationToken token)
    {
        using var fixture = new TransferFixture(ZoneText);
        string key = Path.Combine(fixture.Folder.FullName, "keys");
        Directory.CreateDirectory(key);
        await KeyDirectoryTests.DnssecKeygen(key, "example.test", "ECDSAP256SHA256", ["-f", "KSK"]);
        using var server = fixture.Serve("signed-xfr", extraArguments: $"--keys \"{key}\"");
        await server.WaitReadyAsync("ns1.example.test.", "192.0.2.53", TimeSpan.FromSeconds(60), token);

        string transfer = await TransferFixture.Dig(server.Dns, $"example.test AXFR -y hmac-sha256:xfr:{fixture.Secret}");
        Assert.That(transfer, Does.Contain("Transfer failed").Or.Contain("REFUSED"), transfer);
        Assert.That(transfer, Does.Not.Contain("\tTXT\t"), "no record of the signed zone left the server");

        string signed = await TransferFixture.Dig(server.Dns, "info.example.test TXT +dnssec +norec");
        Assert.That(signed, Does.Contain("\tRRSIG\t"), "the zone is signed for queries");

        string log = server.Output;
        Assert.That(log, Does.Contain("signed zones are not transferred"), log);
    }
}
