using System.Diagnostics;
using GeoDns.Admin;
using GeoDns.Core.Health;
using GeoDns.Health;
using GeoDns.Hosting;
using GeoDns.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GeoDns.Tests.Redis;

/// <summary>One GeoDns instance's shared-state half, wired the way <c>geodns serve</c> wires it, without DNS.</summary>
public sealed class SharedNode : IAsyncDisposable
{
    public static readonly MemberKey Us1 = new("www.gtm.example.test.", "192.0.2.10");
    public static readonly MemberKey Us2 = new("www.gtm.example.test.", "192.0.2.11");
    public static readonly MemberKey Eu1 = new("www.gtm.example.test.", "198.51.100.10");

    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _hosted;

    private SharedNode(ServiceProvider services)
    {
        _services = services;
        _hosted = services.GetServices<IHostedService>().ToList();
    }

    public HealthBoard Board => _services.GetRequiredService<HealthBoard>();

    public IHealthStore Health => _services.GetRequiredService<IHealthStore>();

    public IOverrideStore Overrides => _services.GetRequiredService<IOverrideStore>();

    public ISharedStateView View => _services.GetRequiredService<ISharedStateView>();

    public RedisLink Link => _services.GetRequiredService<RedisLink>();

    public AdminService Admin => _services.GetRequiredService<AdminService>();

    public static async Task<SharedNode> StartAsync(string? redis, string instance, string prefix,
        Quorum quorum = Quorum.Majority, string? admin = null, string? tokenFile = null, TimeSpan? checkInterval = null,
        string? caFile = null, int bulkMembers = 0)
    {
        var collection = new ServiceCollection()
            .AddLogging(b => b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            }).SetMinimumLevel(LogLevel.Information))
            .AddSingleton(TimeProvider.System)
            .AddSingleton<HealthBoard>()
            .AddSharedState(redis, instance, syncInterval: TimeSpan.FromMilliseconds(200), prefix: prefix, redisCaFile: caFile);
        if (!string.IsNullOrWhiteSpace(admin))
        {
            collection.AddAdminApi(admin, tokenFile);
        }

        var services = collection.BuildServiceProvider();
        var node = new SharedNode(services);
        var interval = checkInterval ?? TimeSpan.FromMilliseconds(200);
        node.Health.SetMonitored(
        [
            new MonitoredMember(Us1, "us-east", quorum, interval),
            new MonitoredMember(Us2, "us-east", quorum, interval),
            new MonitoredMember(Eu1, "eu-west", quorum, interval),
            .. Bulk(bulkMembers).Select(key => new MonitoredMember(key, "eu-west", quorum, interval)),
        ]);
        node.Board.Pool(Us1.Pool);
        node.Board.Member(Us1, "us-east");
        node.Board.Member(Us2, "us-east");
        node.Board.Member(Eu1, "eu-west");
        foreach (var hosted in node._hosted)
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return node;
    }

    /// <summary><paramref name="count"/> more members of another pool, for tests at scale.</summary>
    public static IEnumerable<MemberKey> Bulk(int count) =>
        Enumerable.Range(0, count).Select(i => new MemberKey("bulk.gtm.example.test.", $"10.0.{i / 250}.{i % 250}"));

    public MemberSlot Slot(MemberKey key) => Board.Members.Single(m => m.Key == key);

    /// <summary>What the local checker would do on a verdict change.</summary>
    public void SetLocal(MemberKey key, HealthStatus status)
    {
        var slot = Slot(key);
        slot.SetLocal(status, DateTimeOffset.UtcNow, "test");
        Health.PublishLocal(slot);
    }

    public void SetAllLocal(HealthStatus status)
    {
        foreach (var key in new[] { Us1, Us2, Eu1 })
        {
            SetLocal(key, status);
        }
    }

    public static async Task<TimeSpan> WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(10); // awaited polling: no spinning on a shared 2-core machine
        }

        return watch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in Enumerable.Reverse(_hosted))
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await hosted.StopAsync(cts.Token);
        }

        await _services.DisposeAsync();
    }
}
