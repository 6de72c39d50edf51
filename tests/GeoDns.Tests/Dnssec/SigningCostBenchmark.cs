using System.Diagnostics;
using GeoDns.Cli;
using GeoDns.Core;
using GeoDns.Core.Wire;
using GeoDns.Dnssec;
using GeoDns.Tests.Server;
using Microsoft.Extensions.DependencyInjection;
using Org.BouncyCastle.Crypto.Parameters;

namespace GeoDns.Tests.Dnssec;

/// <summary>
/// What signing costs, in process (no sockets), about 30 s: one signature by each algorithm
/// and library, and the query path per answer without DO, with DO on a cache hit (static and
/// pool), and with DO when every answer needs a new signature (names that do not exist).
/// Run by hand: <c>dotnet test --filter SigningCostBenchmark</c>.
/// </summary>
[TestFixture]
[Explicit("a timing measurement, not a test")]
public sealed class SigningCostBenchmark
{
    private const string Zone = """
        $ORIGIN bench.test.
        $TTL 300
        @         SOA   ns hostmaster 1 3600 900 604800 60
        @         NS    ns
        ns        A     192.0.2.53
        www       A     192.0.2.1
        $REGION   r1    continents=EU
        spread    30 POOL   A policy=weighted max-answers=1
        spread    30 MEMBER r1 192.0.2.20
        spread    30 MEMBER r1 192.0.2.21
        """;

    [Test]
    public void MicrosecondsPerSignature()
    {
        byte[] data = new byte[120];
        Random.Shared.NextBytes(data);
        var signature = new byte[64];
        var (ecPrivate, ecPublic) = EcdsaP256Signer.Generate();
        using var ecdsa = new EcdsaP256Signer(ecPrivate, ecPublic);
        var (edPrivate, _) = Ed25519Signer.Generate();
        using var nsec = new Ed25519Signer(edPrivate);
        var bouncy = new BouncyCastleEd25519(edPrivate);

        Report("ECDSA P-256 (BCL/OpenSSL)", Time(20_000, () => ecdsa.Sign(data, signature)));
        Report("Ed25519 (NSec/libsodium)", Time(20_000, () => nsec.Sign(data, signature)));
        Report("Ed25519 (BouncyCastle 2.4)", Time(20_000, () => bouncy.Sign(data, signature)));
    }

    [TestCase("ecdsap256sha256")]
    [TestCase("ed25519")]
    public async Task MicrosecondsPerQuery(string algorithm)
    {
        string keys = Path.Combine(Path.GetTempPath(), "geodns-bench-keys-" + Guid.NewGuid().ToString("N"));
        Assert.That(KeygenCommand.Run(["bench.test", "--keys", keys, "--algorithm", algorithm], TextWriter.Null, TextWriter.Null), Is.Zero);
        try
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["bench.test.zone"] = Zone },
                new Dictionary<string, string?> { ["Keys"] = keys });
            var processor = server.Services.GetRequiredService<QueryProcessor>();
            var response = new byte[DnsWire.MaxMessageLength];
            var client = ClientAddress.FromIPv4(0x7F000001);
            double Per(byte[] query, int n) => Time(n, () => processor.Process(query, response, client, overTcp: false));

            TestContext.Out.WriteLine($"{algorithm}:");
            Per(new QueryBuilder { Name = "www.bench.test", Edns = true, DnssecOk = true }.Build(), 20_000); // warm-up (tiered JIT)
            Report("static A, no DO", Per(new QueryBuilder { Name = "www.bench.test", Edns = true }.Build(), 200_000));
            Report("static A, DO (cache hit)", Per(new QueryBuilder { Name = "www.bench.test", Edns = true, DnssecOk = true }.Build(), 50_000));
            Report("pool A, no DO", Per(new QueryBuilder { Name = "spread.bench.test", Edns = true }.Build(), 200_000));
            Report("pool A, DO (cache hit)", Per(new QueryBuilder { Name = "spread.bench.test", Edns = true, DnssecOk = true }.Build(), 50_000));
            var missing = Enumerable.Range(0, 5_000).Select(i => new QueryBuilder { Name = $"n{i}.bench.test", Edns = true, DnssecOk = true }.Build()).ToArray();
            int next = 0;
            Report("NXDOMAIN, DO (new signature each)", Time(missing.Length, () => processor.Process(missing[next++], response, client, overTcp: false)));
        }
        finally
        {
            Directory.Delete(keys, recursive: true);
        }
    }

    private static double Time(int n, Action action)
    {
        for (int i = 0; i < Math.Min(n / 10, 1000); i++)
        {
            action();
        }

        var watch = Stopwatch.StartNew();
        for (int i = 0; i < n - Math.Min(n / 10, 1000); i++)
        {
            action();
        }

        return watch.Elapsed.TotalMicroseconds / (n - Math.Min(n / 10, 1000));
    }

    private static void Report(string what, double microseconds) =>
        TestContext.Out.WriteLine($"  {what,-38} {microseconds,8:F2} us");

    /// <summary>The same signature with BouncyCastle, for the comparison in docs/dnssec.md.</summary>
    private sealed class BouncyCastleEd25519(byte[] seed)
    {
        private readonly Ed25519PrivateKeyParameters _key = new(seed);

        public int Sign(byte[] data, byte[] signature)
        {
            var signer = new Org.BouncyCastle.Crypto.Signers.Ed25519Signer();
            signer.Init(true, _key);
            signer.BlockUpdate(data, 0, data.Length);
            byte[] result = signer.GenerateSignature();
            result.CopyTo(signature, 0);
            return result.Length;
        }
    }
}
