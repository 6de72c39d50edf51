using GeoDns.Core.Health;

namespace GeoDns.Health;

/// <summary>
/// Status and votes of the shared health state, for the admin API and metrics. Implemented by
/// the in-memory <see cref="LocalHealthStore"/> (one instance) and by the Redis store.
/// </summary>
public interface ISharedStateView
{
    SharedStateReport Report();

    /// <summary>The votes this instance knows for <paramref name="member"/>, its own included.</summary>
    IReadOnlyList<Vote> VotesFor(MemberSlot member);
}

/// <summary>What an operator or the metrics layer can read about the shared state.</summary>
public sealed record SharedStateReport(
    string Mode,
    string Instance,
    bool Connected,
    bool Degraded,
    DateTimeOffset? DegradedSince,
    long DegradedEpisodes,
    long FailedOperations,
    DateTimeOffset? LastSync);
