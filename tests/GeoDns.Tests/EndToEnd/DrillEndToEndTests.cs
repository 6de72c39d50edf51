using GeoDns.Tests.Cli;
using GeoDns.Tests.Redis;

namespace GeoDns.Tests.EndToEnd;

/// <summary>
/// <c>geodns drill</c> against two real <c>geodns serve</c> instances sharing one real
/// redis-server: the drain made through the first reaches both DNS ports, both times are printed,
/// the region is undrained and both answer from it again.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(240_000)]
public sealed class DrillEndToEndTests
{
    private const string Name = "www.gtm.ops.test.";
    private const string Eu = "198.51.100.10";
    private const string Token = "drill-token-91ab";

    [Test]
    public async Task DrillAgainstTwoInstancesSharingRedisPrintsBothTimesAndExitsZero(CancellationToken token)
    {
        var directory = Directory.CreateTempSubdirectory("geodns-drill-");
        try
        {
            string zones = Path.Combine(directory.FullName, "zones");
            Directory.CreateDirectory(zones);
            await File.WriteAllTextAsync(Path.Combine(zones, "ops.test.zone"), OperatorVerbsTests.Zone(), token);
            string tokenFile = Path.Combine(directory.FullName, "token");
            await File.WriteAllTextAsync(tokenFile, Token + "\n", token);
            using var redis = RedisServer.Start();
            using var a = ServeInstance.Start("a", zones, redis.Configuration, tokenFile);
            using var b = ServeInstance.Start("b", zones, redis.Configuration, tokenFile);
            await a.WaitReadyAsync(Name, Eu, TimeSpan.FromSeconds(60), token);
            await b.WaitReadyAsync(Name, Eu, TimeSpan.FromSeconds(60), token);

            var (exit, output) = await GeoDnsProcess.RunAsync(
                $"drill eu-west --name www.ops.test --server {a.Admin} --server {b.Admin} --dns {a.Dns} --dns {b.Dns} " +
                $"--token-file \"{tokenFile}\" --timeout 20s", TimeSpan.FromSeconds(120));
            TestContext.Out.WriteLine(output);
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.Zero, output);
                foreach (var instance in new[] { a, b })
                {
                    Assert.That(output, Does.Match($@"moved:\s+{Escape(instance.Dns.ToString())} after \d+ ms: answers www\.gtm\.ops\.test\., 192\.0\.2\.10"));
                    Assert.That(output, Does.Match($@"back:\s+{Escape(instance.Dns.ToString())} after \d+ ms: answers www\.gtm\.ops\.test\., {Escape(Eu)}"));
                }

                Assert.That(output, Does.Match($@"api:\s+{Escape(b.Admin!.ToString())} lists eu-west drained after \d+ ms"));
                Assert.That(output, Does.Contain("result:   every instance stopped answering from eu-west within"));
            });
            Assert.That(await a.OverridesAsync(token), Is.Empty, "the drill left nothing drained");
            Assert.That(await b.AskAsync(Name, token), Is.EqualTo(Eu));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string Escape(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
