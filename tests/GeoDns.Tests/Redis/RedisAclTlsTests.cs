using System.Globalization;
using GeoDns.Core.Health;
using GeoDns.Tests.Deploy;
using GeoDns.Tests.EndToEnd;
using static GeoDns.Tests.Redis.SharedNode;

namespace GeoDns.Tests.Redis;

/// <summary>
/// Redis with an ACL user (the default user off, keys limited to the <c>{geodns}</c> hash tag)
/// and Redis over TLS (a CA and a server certificate made with openssl here): the right
/// credentials and CA share state; a wrong password leaves the instance answering, says so once
/// and in its status, and never shows the password.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class RedisAclTlsTests
{
    private const string Password = "s3cret-acl-pass";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private DirectoryInfo _directory = null!;
    private readonly List<IDisposable> _processes = [];
    private readonly List<SharedNode> _nodes = [];

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("geodns-redis-acl-");

    [TearDown]
    public async Task TearDown()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        foreach (var process in Enumerable.Reverse(_processes))
        {
            process.Dispose();
        }

        _nodes.Clear();
        _processes.Clear();
        _directory.Delete(recursive: true);
    }

    /// <summary>redis-server on a free port with <paramref name="args"/>; stopped by PID in TearDown.</summary>
    private int StartRedis(params string[] args)
    {
        int port = SentinelGroup.FreePort();
        string text = port.ToString(CultureInfo.InvariantCulture);
        bool tls = args.Contains("--tls-cert-file");
        var process = ChildProcess.Start("redis-server", [tls ? "--tls-port" : "--port", text, .. tls ? new[] { "--port", "0" } : [],
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory.FullName, .. args], _directory.FullName);
        _processes.Add(process);
        SentinelGroup.WaitListening(port, process);
        return port;
    }

    /// <summary>A user that may only touch keys under the <c>{geodns}</c> hash tag; the default user is off.</summary>
    private int StartAclRedis() => StartRedis("--user", "default", "off", "--user", "geodns", "on", ">" + Password, "~{geodns}:*", "allchannels", "+@all");

    private async Task<SharedNode> NodeAsync(string redis, string instance, string? caFile = null)
    {
        var node = await StartAsync(redis, instance, GeoDns.Redis.RedisSharedStateOptions.DefaultPrefix, caFile: caFile);
        _nodes.Add(node);
        return node;
    }

    [Test]
    public async Task AclUserWithKeysLimitedToTheHashTagSharesOverrides()
    {
        int port = StartAclRedis();
        string redis = $"127.0.0.1:{port},user=geodns,password={Password}";
        var a = await NodeAsync(redis, "a");
        var b = await NodeAsync(redis, "b");
        await WaitForAsync(() => a.Link.LastSync is not null && !a.Link.Degraded && b.Link.LastSync is not null && !b.Link.Degraded, Timeout, "both synced");
        a.SetAllLocal(HealthStatus.Up);
        b.SetAllLocal(HealthStatus.Up);
        var result = await a.Overrides.ApplyAsync(OverrideChange.DrainRegion("eu-west", true));
        Assert.That(result.Shared, Is.True, result.Detail);
        await WaitForAsync(() => !b.Slot(Eu1).Usable, Timeout, "the drain on b");
        await WaitForAsync(() => a.View.VotesFor(a.Slot(Us1)).Count == 2, Timeout, "b's vote on a");
        Assert.That(a.Link.FailedOperations + b.Link.FailedOperations, Is.Zero, "no command was refused by the ACL");
    }

    [Test]
    public async Task WrongPasswordKeepsAnsweringSaysSoOnceAndInTheStatusAndNeverLogsThePassword(CancellationToken token)
    {
        int port = StartAclRedis();
        string wrong = "wrong-" + Password;
        var zones = _directory.CreateSubdirectory("zones").FullName;
        await File.WriteAllTextAsync(Path.Combine(zones, "simple.test.zone"), TestZones.Simple(), token);
        var tokenFile = Path.Combine(_directory.FullName, "token");
        await File.WriteAllTextAsync(tokenFile, "acl-token\n", token);
        var instance = ServeInstance.Start("a", zones, $"127.0.0.1:{port},user=geodns,password={wrong}", tokenFile);
        _processes.Add(instance);

        await instance.WaitReadyAsync("www.simple.test.", "192.0.2.1", TimeSpan.FromSeconds(60), token);
        // Reconnect attempts, each refused, until the instance calls itself degraded (a few
        // seconds; longer on a loaded machine, hence polled rather than waited for a fixed time).
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var shared = (await instance.GetJsonAsync("/readyz", token)).GetProperty("sharedState");
        while (!shared.GetProperty("degraded").GetBoolean() && DateTime.UtcNow < until)
        {
            await Task.Delay(200, token);
            shared = (await instance.GetJsonAsync("/readyz", token)).GetProperty("sharedState");
        }

        Assert.That(await instance.AskAsync("www.simple.test.", token), Is.EqualTo("192.0.2.1"), "still answering");
        var warnings = instance.Output.Split('\n').Where(l => l.Contains("Redis", StringComparison.Ordinal)
            && (l.Contains("warn", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal))).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(shared.GetProperty("connected").GetBoolean(), Is.False, shared.ToString());
            Assert.That(shared.GetProperty("degraded").GetBoolean(), Is.True, shared.ToString());
            Assert.That(instance.Output, Does.Not.Contain(wrong).And.Not.Contain(Password), "the password is never logged");
            Assert.That(warnings, Has.Count.EqualTo(1), instance.Output);
            Assert.That(warnings.FirstOrDefault(), Does.Contain("AuthenticationFailure").And.Contain("user geodns"), "the one line says why");
            Assert.That(instance.Output, Does.Contain($"127.0.0.1:{port}"), "the endpoint is logged");
        });
    }

    [Test]
    public async Task TlsWithTheCaFileConnectsAndWithoutItDoesNot()
    {
        var (ca, cert, key) = await MakeCertificatesAsync();
        int port = StartRedis("--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", ca, "--tls-auth-clients", "no");
        string redis = $"127.0.0.1:{port},ssl=true";

        // The system store does not know this CA: no connection, and the instance says so.
        var untrusted = await NodeAsync(redis, "untrusted");
        await WaitForAsync(() => untrusted.Link.Degraded, Timeout, "the untrusted connection to be reported");
        await Task.Delay(1000);
        Assert.That(untrusted.Link.IsConnected, Is.False);
        TestContext.Out.WriteLine($"without the CA: {untrusted.Link.Report()}");

        var a = await NodeAsync(redis, "a", ca);
        var b = await NodeAsync($"127.0.0.1:{port}", "b", ca); // --redis-ca-file alone turns TLS on
        await WaitForAsync(() => a.Link.LastSync is not null && !a.Link.Degraded && b.Link.LastSync is not null && !b.Link.Degraded, Timeout, "both synced over TLS");
        var result = await b.Overrides.ApplyAsync(OverrideChange.Member(Us1, MemberOverride.ForceDown));
        Assert.That(result.Shared, Is.True, result.Detail);
        await WaitForAsync(() => !a.Slot(Us1).Usable, Timeout, "b's override on a, over TLS");
    }

    /// <summary>A CA, and a server certificate it issued for 127.0.0.1 (P-256 keys: quick to make).</summary>
    private async Task<(string Ca, string Cert, string Key)> MakeCertificatesAsync()
    {
        string dir = _directory.FullName;
        string P(string name) => Path.Combine(dir, name);
        await File.WriteAllTextAsync(P("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        foreach (var args in new[]
        {
            new[] { "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", P("ca.key"), "-out", P("ca.crt"), "-days", "1", "-subj", "/CN=geodns test CA" },
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", P("server.key"), "-out", P("server.csr"), "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", P("server.csr"), "-CA", P("ca.crt"), "-CAkey", P("ca.key"), "-CAcreateserial", "-out", P("server.crt"), "-days", "1", "-extfile", P("san.ext")],
        })
        {
            var (exit, output) = await ChildProcess.RunAsync("openssl", args, dir, null, TimeSpan.FromSeconds(30));
            Assert.That(exit, Is.Zero, output);
        }

        return (P("ca.crt"), P("server.crt"), P("server.key"));
    }
}
