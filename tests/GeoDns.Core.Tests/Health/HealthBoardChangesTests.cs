using GeoDns.Core.Health;

namespace GeoDns.Core.Tests.Health;

/// <summary>
/// <see cref="HealthBoard.Changes"/> moves with every input of a member's shown state and stays
/// put otherwise: the status page's sampler walks the members only when it moved.
/// </summary>
public sealed class HealthBoardChangesTests
{
    private static readonly MemberKey Key = new("www.changes.test.", "192.0.2.1");

    [Test]
    public void EveryInputOfTheShownStateCounts()
    {
        var board = new HealthBoard();
        var changes = new List<(string What, Action Change)>
        {
            ("member added", () => board.Member(Key, "eu")),
            ("local verdict", () => board.Member(Key, "eu").SetLocal(HealthStatus.Down, DateTimeOffset.UnixEpoch, "refused")),
            ("shared verdict", () => board.Member(Key, "eu").SetShared(HealthStatus.Down, DateTimeOffset.UnixEpoch)),
            ("forced up", () => board.Member(Key, "eu").SetOverride(MemberOverride.ForceUp)),
            ("region drained", () => board.SetRegionDrained("eu", drained: true)),
            ("pool pinned", () => board.Pool(Key.Pool).PinnedRegion = "us"),
            ("pool unpinned", () => board.Pool(Key.Pool).PinnedRegion = null),
            ("member gone", () => board.Retain(new HashSet<MemberKey>())),
        };

        foreach (var (what, change) in changes)
        {
            long before = board.Changes;
            change();
            Assert.That(board.Changes, Is.GreaterThan(before), what);
        }
    }

    [Test]
    public void RepeatingTheSameStateDoesNotCount()
    {
        var board = new HealthBoard();
        var member = board.Member(Key, "eu");
        member.SetShared(HealthStatus.Up, DateTimeOffset.UnixEpoch);
        member.SetOverride(MemberOverride.ForceDown);
        board.SetRegionDrained("eu", drained: true);
        board.Pool(Key.Pool).PinnedRegion = "eu";
        long steady = board.Changes;

        board.Member(Key, "eu");
        member.SetShared(HealthStatus.Up, DateTimeOffset.UnixEpoch.AddSeconds(1));
        board.SetRegionDrained("eu", drained: true);
        board.Pool(Key.Pool).PinnedRegion = "eu";
        member.Recompute();
        board.Retain(new HashSet<MemberKey> { Key });
        Assert.That(board.Changes, Is.EqualTo(steady));
    }
}
