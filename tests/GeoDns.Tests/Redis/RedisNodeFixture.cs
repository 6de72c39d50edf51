namespace GeoDns.Tests.Redis;

/// <summary>
/// What the shared-state tests have in common: each test gets a redis-server of its own and a
/// key prefix of its own; the nodes (and anything else) a test starts are stopped after it,
/// then the server.
/// </summary>
public abstract class RedisNodeFixture
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    protected RedisServer Redis { get; private set; } = null!;

    protected List<SharedNode> Nodes { get; } = [];

    /// <summary>Disposed after the nodes, before the server.</summary>
    protected List<IDisposable> Owned { get; } = [];

    protected string Prefix { get; private set; } = null!;

    [SetUp]
    public void StartRedis()
    {
        Redis = RedisServer.Start();
        Prefix = $"geodns-{Guid.NewGuid():N}:";
    }

    [TearDown]
    public async Task StopNodesAndRedis()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        Nodes.Clear();
        foreach (var owned in Owned)
        {
            owned.Dispose();
        }

        Owned.Clear();
        Redis.Dispose();
    }
}
