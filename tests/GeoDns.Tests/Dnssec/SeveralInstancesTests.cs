using System.Net;
using GeoDns.Tests.Deploy;
using GeoDns.Tests.EndToEnd;
using GeoDns.Tests.Server;

namespace GeoDns.Tests.Dnssec;

/// <summary>
/// Two real <c>geodns serve</c> processes sharing one keys folder (made by BIND's
/// dnssec-keygen), each behind its own validating Unbound whose only trust anchor is the DS
/// that <c>geodns ds</c> prints: the same names get the AD flag through either instance, both
/// publish the same DNSKEY RRset, and a signature made by one instance verifies with the
/// DNSKEY RRset served by the other.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class SeveralInstancesTests
{
    private const string Zone = """
        $ORIGIN pair.test.
        $TTL 300
        @         SOA   ns hostmaster 1 3600 900 604800 60
        @         NS    ns
        ns        A     192.0.2.53
        www       A     192.0.2.1
        $REGION   eu    continents=EU
        $REGION   us    continents=NA
        spread    30 POOL   A policy=weighted
        spread    30 MEMBER eu 192.0.2.20
        spread    30 MEMBER us 192.0.2.21
        lb        30 POOL   A policy=failover
        lb        30 MEMBER eu 192.0.2.40 priority=1
        lb        30 MEMBER us 192.0.2.41 priority=2
        """;

    private readonly List<ServeInstance> _instances = [];
    private readonly List<ChildProcess> _unbounds = [];
    private readonly List<int> _unboundPorts = [];
    private string _folder = null!;
    private string _keys = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _folder = Path.Combine(Path.GetTempPath(), "geodns-pair-" + Guid.NewGuid().ToString("N"));
        _keys = Path.Combine(_folder, "keys");
        string zones = Path.Combine(_folder, "zones");
        Directory.CreateDirectory(_keys);
        Directory.CreateDirectory(zones);
        await File.WriteAllTextAsync(Path.Combine(zones, "pair.test.zone"), Zone);
        await KeyDirectoryTests.DnssecKeygen(_keys, "pair.test", "ECDSAP256SHA256", ["-f", "KSK"]);
        await KeyDirectoryTests.DnssecKeygen(_keys, "pair.test", "ECDSAP256SHA256", []);

        var ds = new StringWriter();
        Assert.That(GeoDns.Cli.DsCommand.Run(["pair.test", "--keys", _keys], ds, TextWriter.Null), Is.Zero);
        string anchor = ds.ToString().Split('\n')[0].Replace(" IN DS ", " DS ", StringComparison.Ordinal);
        Assert.That(anchor, Does.Match(@"^pair\.test\. DS \d+ 13 2 [0-9A-F]{64}$"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (string name in new[] { "a", "b" })
        {
            var instance = ServeInstance.Start(name, zones, extraArguments: $"--keys \"{_keys}\"");
            _instances.Add(instance);
        }

        foreach (var instance in _instances)
        {
            await instance.WaitReadyAsync("www.pair.test.", "192.0.2.1", TimeSpan.FromSeconds(30), timeout.Token);
            _unbounds.Add(await StartUnbound(instance, anchor));
        }

        for (int i = 0; i < _unbounds.Count; i++)
        {
            for (int tries = 0; tries < 50 && !(await Resolve(i, "www.pair.test A")).Contains("status: NOERROR", StringComparison.Ordinal); tries++)
            {
                Assert.That(_unbounds[i].HasExited, Is.False, _unbounds[i].Output);
                await Task.Delay(100);
            }
        }
    }

    [OneTimeTearDown]
    public void Stop()
    {
        foreach (var unbound in _unbounds)
        {
            unbound.Dispose();
        }

        foreach (var instance in _instances)
        {
            instance.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [TestCase("pair.test SOA", "SOA")]
    [TestCase("pair.test DNSKEY", "DNSKEY")]
    [TestCase("www.pair.test A", "192.0.2.1")]
    [TestCase("spread.pair.test A", "192.0.2.2")]
    [TestCase("lb.pair.test A", "192.0.2.40")]
    [TestCase("www.pair.test AAAA", "ANSWER: 0")]
    [TestCase("missing.pair.test A", "ANSWER: 0")]
    public async Task EachInstanceValidatesWithTheSameTrustAnchor(string query, string expected)
    {
        for (int i = 0; i < _unbounds.Count; i++)
        {
            string output = await Resolve(i, query);
            Assert.That(output, Does.Contain("status: NOERROR"), $"through instance {_instances[i].Name}:\n{output}");
            Assert.That(output, Does.Match(@"flags: qr rd ra ad;"), $"through instance {_instances[i].Name}:\n{output}");
            Assert.That(output, Does.Contain(expected), $"through instance {_instances[i].Name}:\n{output}");
        }
    }

    [Test]
    public async Task BothInstancesPublishTheSameDnskeyRrset()
    {
        var sets = new List<string>();
        foreach (var instance in _instances)
        {
            string output = await DigTests.Dig(instance.Dns, "pair.test DNSKEY +dnssec +norec +noall +answer");
            var keys = Records(output, "DNSKEY");
            Assert.That(keys, Has.Count.EqualTo(2), output);
            sets.Add(string.Join('\n', keys));
        }

        Assert.That(sets[1], Is.EqualTo(sets[0]));
    }

    [Test]
    public async Task BothInstancesSignWithTheSameKeyOfTheSharedRrset()
    {
        var signers = new List<string>();
        string dnskeys = await DigTests.Dig(_instances[0].Dns, "pair.test DNSKEY +dnssec +norec +noall +answer");
        foreach (var instance in _instances)
        {
            string output = await DigTests.Dig(instance.Dns, "spread.pair.test A +dnssec +norec +noall +answer");
            var rrsig = Records(output, "RRSIG");
            Assert.That(rrsig, Has.Count.EqualTo(1), output);
            signers.Add(string.Join(' ', rrsig[0].Split(' ')[4..6]) + " " + rrsig[0].Split(' ')[10]); // type covered, algorithm, key tag
        }

        Assert.That(signers[1], Is.EqualTo(signers[0]));
        Assert.That(signers[0], Does.StartWith("A 13 "));
        // The one zone-signing key in the shared folder, its tag from BIND's file name.
        string zskFile = Directory.GetFiles(_keys, "*.key").Single(f => File.ReadAllText(f).Contains(" DNSKEY 256 3 13 ", StringComparison.Ordinal));
        string zskTag = int.Parse(Path.GetFileNameWithoutExtension(zskFile).Split('+')[^1], System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(signers[0].Split(' ')[2], Is.EqualTo(zskTag));
        Assert.That(Records(dnskeys, "DNSKEY").Count(k => k.Split(' ')[4] == "256"), Is.EqualTo(1), dnskeys);
    }

    private static List<string> Records(string digAnswer, string type) =>
        [.. digAnswer.Split('\n')
            .Select(line => string.Join(' ', line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)))
            .Where(line => line.Split(' ') is { Length: > 4 } f && f[3] == type)
            .Order(StringComparer.Ordinal)];

    private async Task<ChildProcess> StartUnbound(ServeInstance instance, string anchor)
    {
        int port = DeployFiles.FreeDnsPort();
        string directory = Path.Combine(_folder, "unbound-" + instance.Name);
        Directory.CreateDirectory(directory);
        string config = Path.Combine(directory, "unbound.conf");
        await File.WriteAllTextAsync(config, $"""
            server:
              interface: 127.0.0.1
              port: {port}
              do-ip6: no
              chroot: ""
              username: ""
              directory: "{directory}"
              pidfile: "{directory}/unbound.pid"
              use-syslog: no
              logfile: ""
              do-not-query-localhost: no
              module-config: "validator iterator"
              cache-max-ttl: 1
              cache-max-negative-ttl: 1
              trust-anchor: "{anchor}"
              domain-insecure: "."
              local-zone: "test." nodefault
            remote-control:
              control-enable: no
            stub-zone:
              name: "pair.test"
              stub-addr: 127.0.0.1@{instance.Dns.Port}
            """);
        _unboundPorts.Add(port);
        return ChildProcess.Start("unbound", ["-d", "-c", config], directory);
    }

    private Task<string> Resolve(int instance, string query) =>
        DigTests.Dig(new IPEndPoint(IPAddress.Loopback, _unboundPorts[instance]), query + " +dnssec");
}
