using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GeoDns.Core.Health;
using GeoDns.Tests.Redis;
using static GeoDns.Tests.Redis.SharedNode;

namespace GeoDns.Tests.Admin;

[CancelAfter(60_000)]
public class AdminApiTests
{
    private const string Token = "s3cret-token";
    private string _tokenFile = null!;
    private readonly List<IAsyncDisposable> _owned = [];
    private RedisServer? _redis;

    [SetUp]
    public void SetUp()
    {
        _tokenFile = Path.GetTempFileName();
        File.WriteAllText(_tokenFile, Token + "\n");
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        _owned.Clear();
        _redis?.Dispose();
        File.Delete(_tokenFile);
    }

    private async Task<(SharedNode Node, HttpClient Http)> StartAsync(string? redis = null, string instance = "a", bool withToken = true)
    {
        var node = await SharedNode.StartAsync(redis, instance, "geodns-admin-test:", admin: "127.0.0.1:0",
            tokenFile: withToken ? _tokenFile : null);
        _owned.Add(node);
        var http = new HttpClient { BaseAddress = node.Admin.Address, Timeout = TimeSpan.FromSeconds(10) };
        _owned.Add(new Disposer(http));
        return (node, http);
    }

    private static HttpRequestMessage Post(string path, string? token = Token, string? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [Test]
    public async Task Health_endpoints_and_pools_need_no_token()
    {
        var (node, http) = await StartAsync();
        node.SetLocal(Us1, HealthStatus.Up);
        Assert.That((await http.GetAsync("/healthz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await http.GetAsync("/readyz")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var pools = await JsonAsync(await http.GetAsync("/api/v1/pools"));
        var pool = pools.GetProperty("pools").EnumerateArray().Single();
        Assert.That(pool.GetProperty("name").GetString(), Is.EqualTo(Us1.Pool));
        var us1 = pool.GetProperty("members").EnumerateArray().First(m => m.GetProperty("member").GetString() == Us1.Member);
        Assert.Multiple(() =>
        {
            Assert.That(us1.GetProperty("region").GetString(), Is.EqualTo("us-east"));
            Assert.That(us1.GetProperty("local").GetString(), Is.EqualTo("up"));
            Assert.That(us1.GetProperty("usable").GetBoolean(), Is.True);
            Assert.That(us1.GetProperty("votes").GetArrayLength(), Is.EqualTo(1));
            Assert.That(pools.GetProperty("sharedState").GetProperty("mode").GetString(), Is.EqualTo("memory"));
        });
    }

    [Test]
    public async Task Mutations_without_or_with_a_wrong_token_get_401()
    {
        var (node, http) = await StartAsync();
        foreach (var token in new[] { null, "wrong", Token + "x", "" })
        {
            var response = await http.SendAsync(Post("/api/v1/regions/eu-west/drain", token));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), token ?? "(none)");
            Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Does.Contain("bearer token"));
        }

        var basic = new HttpRequestMessage(HttpMethod.Post, "/api/v1/regions/eu-west/drain");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("x:" + Token)));
        Assert.That((await http.SendAsync(basic)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(node.Slot(Eu1).Usable, Is.True);
    }

    [Test]
    public async Task Without_a_token_file_mutations_are_refused()
    {
        var (node, http) = await StartAsync(withToken: false);
        var response = await http.SendAsync(Post("/api/v1/regions/eu-west/drain", Token));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Does.Contain("--admin-token-file"));
        Assert.That(node.Slot(Eu1).Usable, Is.True);
        Assert.That((await http.GetAsync("/api/v1/pools")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Drain_force_and_pin_through_the_api()
    {
        var (node, http) = await StartAsync();
        var drained = await http.SendAsync(Post("/api/v1/regions/eu-west/drain"));
        Assert.That(drained.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await JsonAsync(drained)).GetProperty("overrides").GetProperty("drainedRegions")[0].GetString(), Is.EqualTo("eu-west"));
        Assert.That(node.Slot(Eu1).Usable, Is.False);

        Assert.That((await http.SendAsync(Post("/api/v1/regions/eu-west/undrain"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(node.Slot(Eu1).Usable, Is.True);

        // The state as JSON, as a JSON string, as plain text, or in the query.
        Assert.That((await http.SendAsync(Post($"/api/v1/pools/{Us1.Pool}/members/{Us1.Member}/state", body: "{\"state\":\"down\"}"))).StatusCode,
            Is.EqualTo(HttpStatusCode.OK));
        Assert.That(node.Slot(Us1).Override, Is.EqualTo(MemberOverride.ForceDown));
        Assert.That((await http.SendAsync(Post($"/api/v1/pools/www.gtm.example.test/members/{Us1.Member}/state", body: "\"up\""))).StatusCode,
            Is.EqualTo(HttpStatusCode.OK));
        Assert.That(node.Slot(Us1).Override, Is.EqualTo(MemberOverride.ForceUp));
        Assert.That((await http.SendAsync(Post($"/api/v1/pools/{Us1.Pool}/members/{Us1.Member}/state", body: "auto"))).StatusCode,
            Is.EqualTo(HttpStatusCode.OK));
        Assert.That(node.Slot(Us1).Override, Is.EqualTo(MemberOverride.Auto));
        Assert.That((await http.SendAsync(Post($"/api/v1/pools/{Us1.Pool}/members/{Us1.Member}/state?state=down"))).StatusCode,
            Is.EqualTo(HttpStatusCode.OK));
        Assert.That(node.Slot(Us1).Usable, Is.False);

        Assert.That((await http.SendAsync(Post($"/api/v1/pools/{Us1.Pool}/pin/eu-west"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(node.Board.Pool(Us1.Pool).PinnedRegion, Is.EqualTo("eu-west"));
        var pools = await JsonAsync(await http.GetAsync("/api/v1/pools"));
        Assert.That(pools.GetProperty("pools")[0].GetProperty("pinnedRegion").GetString(), Is.EqualTo("eu-west"));
        Assert.That((await http.SendAsync(Post($"/api/v1/pools/{Us1.Pool}/unpin"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(node.Board.Pool(Us1.Pool).PinnedRegion, Is.Null);
    }

    [TestCase("/api/v1/regions/mars/drain", "unknown region 'mars'")]
    [TestCase("/api/v1/pools/nope.example./unpin", "unknown pool")]
    [TestCase("/api/v1/pools/nope.example./pin/eu-west", "unknown pool")]
    [TestCase("/api/v1/pools/www.gtm.example.test./pin/mars", "no member in region 'mars'")]
    [TestCase("/api/v1/pools/www.gtm.example.test./members/203.0.113.9/state?state=up", "no member '203.0.113.9'")]
    public async Task Unknown_things_get_404_with_a_message(string path, string message)
    {
        var (_, http) = await StartAsync();
        var response = await http.SendAsync(Post(path));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Does.Contain(message));
    }

    [Test]
    public async Task A_bad_state_gets_400()
    {
        var (_, http) = await StartAsync();
        var response = await http.SendAsync(Post($"/api/v1/pools/{Us1.Pool}/members/{Us1.Member}/state", body: "{\"state\":\"sideways\"}"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await JsonAsync(response)).GetProperty("error").GetString(), Does.Contain("up, down or auto"));
    }

    [Test]
    public async Task A_drain_on_a_reaches_b_in_each_of_50_trials()
    {
        // Only that each drain and undrain arrives; how fast is measured by
        // bench/redis/propagation.py --observe api (the same path: A's API -> B's board).
        _redis = RedisServer.Start();
        var (a, httpA) = await StartAsync(_redis.Configuration, "a");
        var (b, _) = await StartAsync(_redis.Configuration, "b");
        await WaitForAsync(() => a.Link.LastSync is not null && b.Link.LastSync is not null, TimeSpan.FromSeconds(10), "both synced");
        for (int trial = 0; trial < 50; trial++)
        {
            var response = await httpA.SendAsync(Post("/api/v1/regions/eu-west/drain"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            await WaitForAsync(() => !b.Slot(Eu1).Usable, TimeSpan.FromSeconds(10), $"drain on b, trial {trial}");
            Assert.That((await httpA.SendAsync(Post("/api/v1/regions/eu-west/undrain"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await WaitForAsync(() => b.Slot(Eu1).Usable, TimeSpan.FromSeconds(10), $"undrain on b, trial {trial}");
        }
    }

    private sealed class Disposer(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
