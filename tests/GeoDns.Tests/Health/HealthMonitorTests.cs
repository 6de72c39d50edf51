using System.Collections.Concurrent;
using GeoDns.Core.Health;
using GeoDns.Core.Zones.Parsing;
using GeoDns.Health;
using Microsoft.Extensions.Logging;

namespace GeoDns.Tests.Health;

[CancelAfter(30_000)]
public sealed class HealthMonitorTests
{
    private static readonly string[] Members = ["192.0.2.1", "192.0.2.2"];

    [Test]
    public async Task FirstRoundGivesEveryMemberAVerdictBeforeItCompletes(CancellationToken token)
    {
        var checker = new FakeChecker { Down = { "192.0.2.2" } };
        await using var rig = new Rig(checker);
        rig.Monitor.Apply([HealthTestZones.Zone("fake", Members, ("interval", "5s"))]);

        await rig.Monitor.FirstRoundCompleted.WaitAsync(TimeSpan.FromSeconds(5), token);

        Assert.Multiple(() =>
        {
            Assert.That(rig.Slot("192.0.2.1").Local, Is.EqualTo(HealthStatus.Up));
            Assert.That(rig.Slot("192.0.2.1").Usable, Is.True);
            Assert.That(rig.Slot("192.0.2.2").Local, Is.EqualTo(HealthStatus.Down));
            Assert.That(rig.Slot("192.0.2.2").Usable, Is.False);
            Assert.That(rig.Store.Monitored.Select(m => m.Key.Member), Is.EquivalentTo(Members));
            Assert.That(rig.Store.Monitored.First().Interval, Is.EqualTo(TimeSpan.FromSeconds(5)));
        });
    }

    [Test]
    public async Task FirstRoundIsBoundedByTheLongestTimeout(CancellationToken token)
    {
        var checker = new FakeChecker { Hang = { "192.0.2.2" } };
        await using var rig = new Rig(checker);
        // 192.0.2.2 never answers and the next probes are a minute away: only the 300 ms
        // timeout can end the first round within the 10 s waited here.
        rig.Monitor.Apply([HealthTestZones.Zone("fake", Members, ("interval", "60s"), ("timeout", "300ms"))]);

        await rig.Monitor.FirstRoundCompleted.WaitAsync(TimeSpan.FromSeconds(10), token);

        Assert.That(rig.Slot("192.0.2.1").Local, Is.EqualTo(HealthStatus.Up));
    }

    [Test]
    public async Task FlipsAfterFallFailuresAndBackAfterRiseSuccessesWithOneLogLineEach(CancellationToken token)
    {
        var checker = new FakeChecker();
        await using var rig = new Rig(checker);
        rig.Monitor.Apply([HealthTestZones.Zone("fake", Members, ("interval", "100ms"), ("rise", "2"), ("fall", "2"))]);
        await rig.Monitor.FirstRoundCompleted.WaitAsync(token);
        var slot = rig.Slot("192.0.2.1");

        checker.Down.Add("192.0.2.1");
        await Until(() => !slot.Usable, token);
        Assert.That(checker.Calls("192.0.2.1"), Is.GreaterThanOrEqualTo(3), "fall=2 needs two failed probes after the first");
        Assert.That(slot.LocalReason, Does.StartWith("2 consecutive failures"));

        checker.Down.Remove("192.0.2.1");
        await Until(() => slot.Usable, token);
        Assert.That(slot.Local, Is.EqualTo(HealthStatus.Up));

        var lines = rig.Log.Lines.Where(l => l.Contains("member=192.0.2.1", StringComparison.Ordinal)).ToList();
        Assert.That(lines, Has.Count.EqualTo(3), string.Join('\n', rig.Log.Lines));
        Assert.That(lines[1], Does.Contain("Up -> Down").And.Contain("region=r1").And.Contain("pool=www.gtm.example.com."));
    }

    [Test]
    public async Task ReloadKeepsUnchangedPairsAndForgetsRemovedOnes(CancellationToken token)
    {
        var checker = new FakeChecker { Down = { "192.0.2.1", "192.0.2.2" } };
        await using var rig = new Rig(checker);
        rig.Monitor.Apply([HealthTestZones.Zone("fake", Members, ("interval", "5s"))]);
        await rig.Monitor.FirstRoundCompleted.WaitAsync(token);
        var since = rig.Slot("192.0.2.1").LocalSince;

        rig.Monitor.Apply([HealthTestZones.Zone("fake", ["192.0.2.1"], ("interval", "4s"))]);
        await Until(() => rig.Slot("192.0.2.2").Local == HealthStatus.Unknown, token);

        Assert.Multiple(() =>
        {
            Assert.That(rig.Monitor.ProbeCount, Is.EqualTo(1));
            Assert.That(rig.Slot("192.0.2.1").Local, Is.EqualTo(HealthStatus.Down));
            Assert.That(rig.Slot("192.0.2.1").LocalSince, Is.EqualTo(since));
            Assert.That(checker.Calls("192.0.2.1"), Is.EqualTo(1), "kept, not restarted");
            Assert.That(rig.Slot("192.0.2.2").Usable, Is.True, "no longer checked: counts as up");
            Assert.That(rig.Store.Monitored.Single().Interval, Is.EqualTo(TimeSpan.FromSeconds(4)));
        });
    }

    [Test]
    public async Task AKeptHttpConnectionIsClosedWhenAReloadReplacesItsCheckAndWhenTheMemberGoes(CancellationToken token)
    {
        await using var server = new KeepAliveHttpServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var http = new HttpChecker();
        await using var rig = new Rig(http);
        rig.Monitor.Apply([HealthTestZones.Zone("http", ["127.0.0.1"], ("port", $"{server.Port}"), ("interval", "100ms"), ("keepalive", "true"))]);
        await Until(() => server.Requests.Count >= 3, token);
        Assert.That((server.Connections, server.ClosedByClient), Is.EqualTo((1, 0)), "probes share one connection");

        rig.Monitor.Apply([HealthTestZones.Zone("http", ["127.0.0.1"], ("port", $"{server.Port}"), ("interval", "150ms"), ("keepalive", "true"))]);
        await Until(() => server.ClosedByClient == 1 && server.Connections == 2, token);

        rig.Monitor.Apply([]);
        await Until(() => server.ClosedByClient == 2, token);
        Assert.That(server.Connections, Is.EqualTo(2));
    }

    [Test]
    public async Task AProbeThatEndsOnAReplacedTargetHasItForgottenAgain(CancellationToken token)
    {
        // Whatever the checker kept for the old target while its last probe ran (after the
        // reload's Forget) must be let go when that probe ends.
        var checker = new FakeChecker { Delay = TimeSpan.FromMilliseconds(400) };
        await using var rig = new Rig(checker);
        rig.Monitor.Apply([HealthTestZones.Zone("fake", ["192.0.2.1"], ("interval", "5s"))]);
        await Until(() => checker.Calls("192.0.2.1") == 1, token);

        rig.Monitor.Apply([HealthTestZones.Zone("fake", ["192.0.2.1"], ("interval", "4s"))]);
        await Until(() => !checker.Forgotten.IsEmpty, token);
        var replaced = checker.Forgotten.Single();
        Assert.That(replaced.Settings.Interval, Is.EqualTo(TimeSpan.FromSeconds(5)), "the reload forgets the old target");

        await Until(() => checker.Forgotten.Count == 2, token);
        Assert.That(checker.Forgotten, Is.All.SameAs(replaced), "forgotten again once its probe ended");
    }

    [Test]
    public async Task AZoneWithErrorsKeepsItsProbes(CancellationToken token)
    {
        await using var rig = new Rig(new FakeChecker());
        var zone = HealthTestZones.Zone("fake", Members, ("interval", "5s"));
        rig.Monitor.Apply([zone]);
        var broken = new GeoDns.Core.Zones.ZoneFile
        {
            Origin = zone.Origin,
            Path = zone.Path,
            Records = [],
            Diagnostics = [new(GeoDns.Core.Zones.Parsing.DiagnosticSeverity.Error, new("gtm.zone", 3, 1), "bad")],
        };
        rig.Monitor.Apply([broken]);
        Assert.That(rig.Monitor.ProbeCount, Is.EqualTo(2));
        rig.Monitor.Apply([]);
        Assert.That(rig.Monitor.ProbeCount, Is.Zero);
        await Task.CompletedTask.WaitAsync(token);
    }

    [Test]
    public async Task ProbesInFlightStayWithinTheGlobalBound(CancellationToken token)
    {
        var checker = new FakeChecker { Delay = TimeSpan.FromMilliseconds(30) };
        await using var rig = new Rig(checker, maxConcurrent: 2);
        string[] many = [.. Enumerable.Range(1, 8).Select(i => $"192.0.2.{i}")];
        rig.Monitor.Apply([HealthTestZones.Zone("fake", many, ("interval", "100ms"))]);
        await rig.Monitor.FirstRoundCompleted.WaitAsync(token);
        await Task.Delay(300, token);
        Assert.That(checker.MaxInFlight, Is.EqualTo(2));
    }

    [Test]
    public void IntervalsAreJitteredAndHalvedWhileAFlipIsPending()
    {
        var interval = TimeSpan.FromMilliseconds(200);
        var jitter = ProbeRunner.Jitter;
        var random = new Random(20_240_601);
        var steady = Enumerable.Range(0, 200).Select(_ => ProbeRunner.NextInterval(interval, pending: false, random)).ToList();
        var pending = Enumerable.Range(0, 200).Select(_ => ProbeRunner.NextInterval(interval, pending: true, random)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(steady, Has.All.InRange(interval * (1 - jitter), interval * (1 + jitter)));
            // 200 draws over the 400,001 tick values of +-20 ms: about 0.05 coincident pairs expected.
            Assert.That(steady.Distinct().Count(), Is.GreaterThanOrEqualTo(199));
            Assert.That(pending, Has.All.InRange(interval / 2 * (1 - jitter), interval / 2 * (1 + jitter)));
        });
    }

    private static async Task Until(Func<bool> condition, CancellationToken token)
    {
        while (!condition())
        {
            await Task.Delay(10, token);
        }
    }

    /// <summary>Answers per address: up unless listed in Down; Hang never answers.</summary>
    internal sealed class FakeChecker : IHealthChecker
    {
        private readonly ConcurrentDictionary<string, int> _calls = new();
        private int _inFlight;
        private int _maxInFlight;

        public static readonly CheckKind Kind = new("fake", CheckKind.PortSetting(80), []);

        public IReadOnlyCollection<CheckKind> Kinds { get; } = [Kind];

        public ConcurrentSet Down { get; } = [];

        public ConcurrentSet Hang { get; } = [];

        /// <summary>The targets the runners told this checker to forget, in order.</summary>
        public ConcurrentQueue<ProbeTarget> Forgotten { get; } = new();

        public void Forget(ProbeTarget target) => Forgotten.Enqueue(target);

        public TimeSpan Delay { get; init; }

        public int MaxInFlight => _maxInFlight;

        public int Calls(string address) => _calls.GetValueOrDefault(address);

        public async Task<ProbeResult> ProbeAsync(ProbeTarget target, CancellationToken cancellationToken)
        {
            _calls.AddOrUpdate(target.Address, 1, (_, n) => n + 1);
            int now = Interlocked.Increment(ref _inFlight);
            int max;
            while (now > (max = _maxInFlight) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }

            try
            {
                if (Hang.Contains(target.Address))
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }

                await Task.Delay(Delay, cancellationToken);
                return Down.Contains(target.Address)
                    ? ProbeResult.Fail(TimeSpan.FromMilliseconds(1), "fake failure")
                    : ProbeResult.Ok(TimeSpan.FromMilliseconds(1), "fake success");
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    internal sealed class ConcurrentSet : IEnumerable<string>
    {
        private readonly ConcurrentDictionary<string, byte> _items = new();

        public void Add(string item) => _items[item] = 0;

        public void Remove(string item) => _items.TryRemove(item, out _);

        public bool Contains(string item) => _items.ContainsKey(item);

        public IEnumerator<string> GetEnumerator() => _items.Keys.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    internal sealed class RecordingStore : IHealthStore
    {
        private readonly InMemoryHealthStore _inner = new();

        public IReadOnlyCollection<MonitoredMember> Monitored { get; private set; } = [];

        public void SetMonitored(IReadOnlyCollection<MonitoredMember> members) => Monitored = members;

        public void PublishLocal(MemberSlot member) => _inner.PublishLocal(member);
    }

    internal sealed class Rig : IAsyncDisposable
    {
        public Rig(IHealthChecker checker, int maxConcurrent = 64)
        {
            Monitor = new HealthMonitor(new CheckerRegistry([checker]), Board, Store, TimeProvider.System, Log,
                new HealthMonitorOptions { MaxConcurrentProbes = maxConcurrent }, new Random(1));
        }

        public HealthBoard Board { get; } = new();

        public RecordingStore Store { get; } = new();

        /// <summary>The monitor's "Health transition" lines.</summary>
        public ListLogger<HealthMonitor> Log { get; } = new((_, line) => line.StartsWith("Health transition", StringComparison.Ordinal) ? line : null);

        public HealthMonitor Monitor { get; }

        public MemberSlot Slot(string address) => Board.Member(HealthTestZones.Key(address), "r");

        public ValueTask DisposeAsync() => Monitor.DisposeAsync();
    }
}
