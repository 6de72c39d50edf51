using GeoDns.Core.Health;

namespace GeoDns.Health;

/// <summary>One instance without Redis: the shared verdict is the local one; overrides re-applied after each zone load.</summary>
public sealed class LocalHealthStore(string instance, IOverrideStore overrides, TimeProvider time) : IHealthStore, ISharedStateView
{
    private readonly InMemoryHealthStore _inner = new();

    public void SetMonitored(IReadOnlyCollection<MonitoredMember> members)
    {
        _inner.SetMonitored(members);
        overrides.Reapply();
    }

    public void PublishLocal(MemberSlot member) => _inner.PublishLocal(member);

    public SharedStateReport Report() => new("memory", instance, true, false, null, 0, 0, null);

    public IReadOnlyList<Vote> VotesFor(MemberSlot member) =>
        member.Local == HealthStatus.Unknown ? [] : [new Vote(instance, member.Local, time.GetUtcNow())];
}
