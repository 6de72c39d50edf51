using GeoDns.Core.Health;
using GeoDns.Redis;

namespace GeoDns.Tests.Redis;

/// <summary>How <c>--redis</c> is read: Sentinel and ACL settings pass through, keys share one hash tag, passwords stay out of text.</summary>
public sealed class RedisSharedStateOptionsTests
{
    private static RedisSharedStateOptions Options(string configuration, string? caFile = null) =>
        new() { Configuration = configuration, Instance = "a", CaFile = caFile };

    /// <summary>Redis Cluster hashes only the text between the first '{' and the next '}' (when not empty).</summary>
    private static string HashTag(string key)
    {
        int open = key.IndexOf('{', StringComparison.Ordinal);
        int close = open < 0 ? -1 : key.IndexOf('}', open + 1);
        return close > open + 1 ? key[(open + 1)..close] : key;
    }

    [Test]
    public void EveryKeyOfADeploymentHasTheSameHashTag()
    {
        var options = Options("127.0.0.1:6379");
        var keys = new[]
        {
            options.OverridesKey, options.EpochKey, options.EventsChannel,
            options.VotesKey(new MemberKey("www.example.com.", "192.0.2.1")), options.VotesKey(new MemberKey("{odd}.example.com.", "2001:db8::1")),
        };
        Assert.That(keys.Select(HashTag), Is.All.EqualTo("geodns"), string.Join(", ", keys));
        Assert.That(options.OverridesKey, Is.EqualTo("{geodns}:overrides"));
    }

    [Test]
    public void SentinelAclAndTlsSettingsReachStackExchangeRedis()
    {
        var parsed = Options("10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379,serviceName=mymaster,user=geodns,password=pw-9f2,ssl=true,sslHost=redis.internal")
            .ToConfigurationOptions();
        Assert.Multiple(() =>
        {
            Assert.That(parsed.EndPoints, Has.Count.EqualTo(3));
            Assert.That(parsed.ServiceName, Is.EqualTo("mymaster"));
            Assert.That(parsed.User, Is.EqualTo("geodns"));
            Assert.That(parsed.Password, Is.EqualTo("pw-9f2"));
            Assert.That(parsed.Ssl, Is.True);
            Assert.That(parsed.SslHost, Is.EqualTo("redis.internal"));
            Assert.That(parsed.AbortOnConnectFail, Is.False, "start never waits for Redis");
            Assert.That(parsed.BacklogPolicy, Is.SameAs(StackExchange.Redis.BacklogPolicy.FailFast), "no command waits for a primary that is gone");
        });
    }

    [Test]
    public void DescriptionNamesEndpointsServiceUserAndTlsButNeverThePassword()
    {
        var text = Options("s1:26379,s2:26379,password=pw-9f2,serviceName=mymaster,user=geodns,ssl=true").Describe();
        Assert.That(text, Is.EqualTo("sentinels s1:26379,s2:26379 (service mymaster), user geodns, TLS"));
        Assert.That(Options("redis:6379,password=pw-9f2").Describe(), Is.EqualTo("redis:6379"));
        var sentinelCredentials = Options("s1:26379,serviceName=mymaster,sentinelUser=watcher,sentinelPassword=spw-41c");
        Assert.That(sentinelCredentials.ToConfigurationOptions().SentinelPassword, Is.EqualTo("spw-41c"));
        Assert.That(sentinelCredentials.Describe(), Does.Not.Contain("spw-41c"));
    }

    [TestCase("redis:6379,password=pw-9f2,bogus=1", "bogus")]
    [TestCase("password=pw-9f2", "no host:port")]
    [TestCase("redis:6379,connectTimeout=soon,password=pw-9f2", "connectTimeout")]
    public void MalformedConfigurationIsAFormatErrorWithoutThePassword(string configuration, string named)
    {
        var error = Assert.Throws<FormatException>(() => Options(configuration).ToConfigurationOptions())!;
        Assert.That(error.Message, Does.StartWith("--redis: ").And.Contain(named).And.Not.Contain("pw-9f2"));
    }

    [Test]
    public void CaFileMustBeACertificateAndTurnsTlsOn()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a certificate");
            var error = Assert.Throws<FormatException>(() => Options("redis:6379", file).ToConfigurationOptions())!;
            Assert.That(error.Message, Does.StartWith($"--redis-ca-file '{file}'"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
