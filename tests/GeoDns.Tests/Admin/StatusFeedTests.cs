using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using GeoDns.Admin;
using GeoDns.Core.Health;
using GeoDns.Health;
using GeoDns.Tests.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using static GeoDns.Tests.Redis.SharedNode;

namespace GeoDns.Tests.Admin;

/// <summary>The status feed behind the page: bounded transitions, bounded drop-oldest client queues, and the real SSE stream.</summary>
[CancelAfter(60_000)]
public sealed class StatusFeedTests
{
    private static readonly MemberKey Member = new("www.gtm.feed.test.", "192.0.2.10");

    private static (StatusFeed Feed, MemberSlot Slot) NewFeed()
    {
        var board = new HealthBoard();
        var overrides = new InMemoryOverrideStore(board);
        var view = new LocalHealthStore("feed", overrides, TimeProvider.System);
        var slot = board.Member(Member, "us-east");
        var feed = new StatusFeed(board, overrides, view, zones: null, TimeProvider.System, TimeSpan.FromHours(1), NullLogger.Instance);
        feed.Sample();
        return (feed, slot);
    }

    private static void Flip(MemberSlot slot, StatusFeed feed, int times)
    {
        for (int i = 0; i < times; i++)
        {
            slot.SetShared(i % 2 == 0 ? HealthStatus.Down : HealthStatus.Up, DateTimeOffset.UtcNow);
            feed.Sample();
        }
    }

    [Test]
    public async Task Transitions_keep_the_last_200_oldest_first()
    {
        var (feed, slot) = NewFeed();
        await using var _ = feed;
        Flip(slot, feed, 250);
        var transitions = feed.Transitions;
        Assert.That(transitions, Has.Count.EqualTo(StatusFeed.TransitionCapacity));
        Assert.That(transitions[^1].To, Does.StartWith("up"), "the newest (250th, to up) is kept");
        Assert.That(transitions[0].At, Is.LessThanOrEqualTo(transitions[^1].At));
    }

    [Test]
    public async Task A_client_that_never_reads_gets_its_oldest_events_dropped_and_blocks_nothing()
    {
        var (feed, slot) = NewFeed();
        await using var _ = feed;
        var stuck = feed.Subscribe()!;
        var watch = Stopwatch.StartNew();
        Flip(slot, feed, StatusFeed.QueueCapacity + 100);
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(stuck.Reader.Count, Is.EqualTo(StatusFeed.QueueCapacity));
        Assert.That(stuck.Reader.TryRead(out var oldest), Is.True);
        Assert.That(oldest!.Json, Does.Contain("\"from\":\"up, serving\""), "event 101 (down->up->... flips) is the oldest kept");
        feed.Unsubscribe(stuck);
    }

    [Test]
    public async Task Changes_after_quiet_samples_are_still_seen()
    {
        var (feed, slot) = NewFeed();
        await using var _ = feed;
        var board = (HealthBoard)typeof(StatusFeed).GetField("_board", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(feed)!;
        feed.Sample();
        feed.Sample(); // nothing changed: these skip the members
        Assert.That(feed.Transitions, Is.Empty);

        board.Pool(Member.Pool).PinnedRegion = "eu-west";
        feed.Sample();
        slot.SetOverride(MemberOverride.ForceDown);
        feed.Sample();
        feed.Sample();
        board.SetRegionDrained("us-east", drained: true);
        feed.Sample();
        Assert.That(feed.Transitions.Select(t => t.To), Is.EqualTo(new[]
        {
            "unknown, pinned elsewhere, serving",
            "unknown, forced down, pinned elsewhere, not serving",
            "unknown, forced down, drained, pinned elsewhere, not serving",
        }));
    }

    [Test]
    public async Task Subscribers_are_capped()
    {
        var (feed, _) = NewFeed();
        await using var __ = feed;
        var all = Enumerable.Range(0, StatusFeed.MaxSubscribers).Select(_ => feed.Subscribe()).ToList();
        Assert.That(all, Has.All.Not.Null);
        Assert.That(feed.Subscribe(), Is.Null);
        feed.Unsubscribe(all[0]!);
        Assert.That(feed.Subscribe(), Is.Not.Null);
    }

    [Test]
    public async Task Events_stream_carries_a_transition_and_an_override_after_a_drain()
    {
        string tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "feed-token\n");
        try
        {
            await using var node = await SharedNode.StartAsync(null, "a", "geodns-feed-test:", admin: "127.0.0.1:0", tokenFile: tokenFile);
            node.SetLocal(Us1, HealthStatus.Up);
            using var http = new HttpClient { BaseAddress = node.Admin.Address, Timeout = Timeout.InfiniteTimeSpan };
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await http.GetAsync("/api/v1/events", HttpCompletionOption.ResponseHeadersRead, stop.Token);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            Assert.That(await reader.ReadLineAsync(stop.Token), Is.EqualTo(": geodns events"));

            using var drain = new HttpRequestMessage(HttpMethod.Post, "/api/v1/regions/us-east/drain");
            drain.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "feed-token");
            using var drained = await http.SendAsync(drain, stop.Token);
            Assert.That(drained.IsSuccessStatusCode, Is.True);

            var seen = new HashSet<string>();
            string? transition = null;
            while (seen.Count < 2 && await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    string kind = line[7..];
                    string data = await reader.ReadLineAsync(stop.Token) ?? "";
                    seen.Add(kind);
                    if (kind == "transition" && data.Contains(Us1.Member, StringComparison.Ordinal))
                    {
                        transition = data;
                    }
                }
            }

            Assert.That(seen, Is.SupersetOf(new[] { "transition", "override" }));
            Assert.That(transition, Does.Contain("region drained by an operator"));
            using var zones = await http.GetAsync("/api/v1/transitions", stop.Token);
            Assert.That(await zones.Content.ReadAsStringAsync(stop.Token), Does.Contain("region drained by an operator"));
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Test]
    public async Task Page_and_assets_are_served_from_the_assembly_with_a_strict_policy()
    {
        await using var node = await SharedNode.StartAsync(null, "a", "geodns-page-test:", admin: "127.0.0.1:0", tokenFile: null);
        using var http = new HttpClient { BaseAddress = node.Admin.Address, Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (path, type, text) in new[] { ("/", "text/html", "/status.js"), ("/status.js", "text/javascript", "/api/v1/events"), ("/status.css", "text/css", "tr.member") })
        {
            using var response = await http.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(type), path);
            Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("default-src 'none'"), path);
            string body = await response.Content.ReadAsStringAsync();
            Assert.That(body, Does.Contain(text), path);
            Assert.That(body, Does.Not.Contain("http://").And.Not.Contain("https://"), $"{path} loads nothing from elsewhere");
        }
    }
}
