using ARSoft.Tools.Net.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Loading;
using GeoDns.Core.Lookup;
using GeoDns.Core.Settings;
using GeoDns.Core.Tests.Lookup;
using GeoDns.Core.Traffic;
using GeoDns.Core.Zones.Parsing;

namespace GeoDns.Core.Tests.Traffic.Policies;

/// <summary>
/// A routing policy defined only here, with a POOL key of its own, plugged in with one
/// registration line: the zone syntax validates its key and the server answers with it.
/// </summary>
public sealed class PluggedPolicyTests
{
    /// <summary><c>policy=nth n=N</c>: the N-th member (0-based) while it is usable, else the first usable one.</summary>
    private sealed class NthPolicy : IRoutingPolicy
    {
        public static readonly Setting<int> N = Setting.Integer("n", 0, 255, 0);

        public string Name => "nth";

        public bool UsesLocation => false;

        public SettingsSchema Settings { get; } = new([N]);

        public object? Prepare(SettingValues settings) => settings.Get(N);

        public int Select(ref SelectionContext context, Span<int> chosen)
        {
            int n = (int)context.Pool.PolicyState!;
            if (n < context.IsCandidate.Length && context.IsCandidate[n])
            {
                chosen[0] = n;
                return 1;
            }

            if (context.Candidates.IsEmpty)
            {
                return 0;
            }

            chosen[0] = context.Candidates[0];
            return 1;
        }
    }

    private const string Zone = """
        $ORIGIN plug.test.
        $TTL 60
        @ SOA ns h 1 2 3 4 5
        @ NS ns
        ns A 192.0.2.1
        $REGION r1 continents=EU

        """;

    private static TrafficVocabulary WithNth()
    {
        var policies = BuiltIns.Policies();
        policies.Register(new NthPolicy()); // the one registration line
        return new TrafficVocabulary(policies, TrafficVocabulary.BuiltIn.Checks);
    }

    private static ZoneBuild Build(TrafficVocabulary vocabulary, string body, HealthBoard? board = null)
    {
        var file = GeoDns.Core.Zones.ZoneFileLoader.Parse(Zone + body, "plug.test.zone", null, vocabulary);
        return new ZonePipeline(vocabulary, new TrafficCompiler(board ?? new HealthBoard(), vocabulary.Policies)).Build(file);
    }

    private const string ThreeMembers = "www POOL A policy=nth n=2\nwww MEMBER r1 192.0.2.10\nwww MEMBER r1 192.0.2.11\nwww MEMBER r1 192.0.2.12\n";

    [Test]
    public void ThePoliciesOwnKeyDecidesTheAnswer()
    {
        var build = Build(WithNth(), ThreeMembers);
        Assert.That(build.HasErrors, Is.False, () => string.Join("\n", build.File.Diagnostics));

        var reply = LookupKit.Ask(new Snapshot([build.Zone!]), "www.plug.test.", GeoDns.Core.Dns.RecordType.A);

        Assert.That(reply.AnswerRecords.OfType<ARecord>().Select(a => a.Address.ToString()), Is.EqualTo(new[] { "192.0.2.12" }));
    }

    [Test]
    public void HealthStillApplies()
    {
        var board = new HealthBoard();
        var build = Build(WithNth(), ThreeMembers, board);
        var slot = board.Member(new MemberKey("www.plug.test.", "192.0.2.12"), "r1");
        slot.SetLocal(HealthStatus.Down, DateTimeOffset.UnixEpoch, "test");
        slot.SetShared(HealthStatus.Down, DateTimeOffset.UnixEpoch);
        slot.Recompute();

        var reply = LookupKit.Ask(new Snapshot([build.Zone!]), "www.plug.test.", GeoDns.Core.Dns.RecordType.A);

        Assert.That(reply.AnswerRecords.OfType<ARecord>().Select(a => a.Address.ToString()), Is.EqualTo(new[] { "192.0.2.10" }));
    }

    [Test]
    public void ABadValueOfItsKeyIsAnErrorAtItsColumn()
    {
        var build = Build(WithNth(), "www POOL A policy=nth n=x\nwww MEMBER r1 192.0.2.10\n");

        var error = build.File.Diagnostics.Single(d => d.Severity == DiagnosticSeverity.Error);
        Assert.That(error.ToString(), Does.StartWith("plug.test.zone:7:25:").And.Contain("bad n 'x'"));
    }

    [Test]
    public void ItsKeyOnAnotherPolicysPoolIsAWarning()
    {
        var build = Build(WithNth(), "www POOL A policy=failover n=1\nwww MEMBER r1 192.0.2.10\n");

        Assert.That(build.HasErrors, Is.False);
        Assert.That(build.File.Diagnostics.Single().ToString(), Does.Contain("n= only affects policy=nth"));
    }

    [Test]
    public void WithoutTheRegistrationLineThePolicyIsUnknown()
    {
        var build = Build(TrafficVocabulary.BuiltIn, ThreeMembers);

        Assert.That(build.File.Diagnostics.Select(d => d.ToString()), Has.Some.Contains("unknown policy 'nth'"));
    }
}
