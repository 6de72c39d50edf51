namespace GeoDns.Core.Health;

/// <summary>How many instances' votes it takes to call a member down (<c>quorum=</c> on <c>$CHECK</c>).</summary>
public enum Quorum
{
    /// <summary>Up when any instance sees it up.</summary>
    Any,

    /// <summary>Up when a majority of the instances that voted recently see it up (the default).</summary>
    Majority,

    /// <summary>Up only when every instance that voted recently sees it up.</summary>
    All,
}

/// <summary>A member under health checks, as the current zones declare it.</summary>
public sealed record MonitoredMember(MemberKey Key, string Region, Quorum Quorum, TimeSpan Interval);

/// <summary>
/// Where local verdicts go and where shared verdicts and operator overrides come from.
/// In memory (one instance: shared = local) unless Redis is configured. Implementations
/// write results into the <see cref="HealthBoard"/>; they never block the query path.
/// </summary>
public interface IHealthStore
{
    /// <summary>The members being checked changed (zone load or reload).</summary>
    void SetMonitored(IReadOnlyCollection<MonitoredMember> members);

    /// <summary>This instance's checker reached a new verdict for a member.</summary>
    void PublishLocal(MemberSlot member);
}

/// <summary>Single-instance store: the shared verdict is the local one.</summary>
public sealed class InMemoryHealthStore : IHealthStore
{
    public void SetMonitored(IReadOnlyCollection<MonitoredMember> members)
    {
    }

    public void PublishLocal(MemberSlot member) => member.SetShared(member.Local, member.LocalSince);
}
