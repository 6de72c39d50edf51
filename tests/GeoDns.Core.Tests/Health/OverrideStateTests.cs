using GeoDns.Core.Health;

namespace GeoDns.Core.Tests.Health;

public class OverrideStateTests
{
    private static readonly MemberKey Us1 = new("www.gtm.example.com.", "192.0.2.10");
    private static readonly MemberKey Eu1 = new("www.gtm.example.com.", "198.51.100.10");

    private static HealthBoard Board()
    {
        var board = new HealthBoard();
        board.Member(Us1, "us-east");
        board.Member(Eu1, "eu-west");
        board.Pool("www.gtm.example.com.");
        return board;
    }

    [Test]
    public void Changes_round_trip_through_fields()
    {
        var state = OverrideState.Empty
            .With(OverrideChange.DrainRegion("eu-west", true))
            .With(OverrideChange.Member(Us1, MemberOverride.ForceDown))
            .With(OverrideChange.Pin("www.gtm.example.com.", "us-east"));
        var fields = state.ToFields().ToList();
        Assert.That(fields.Select(f => $"{f.Key}={f.Value}"), Is.EqualTo(new[]
        {
            "region:eu-west=drained",
            "member:www.gtm.example.com. 192.0.2.10=down",
            "pin:www.gtm.example.com.=us-east",
        }));
        var back = OverrideState.FromFields(fields);
        Assert.That(back.SameAs(state), Is.True);
        Assert.That(back.Members[Us1], Is.EqualTo(MemberOverride.ForceDown));
    }

    [Test]
    public void Clearing_removes_the_field()
    {
        var state = OverrideState.Empty
            .With(OverrideChange.DrainRegion("eu-west", true))
            .With(OverrideChange.Member(Us1, MemberOverride.ForceUp))
            .With(OverrideChange.Pin("p.", "eu-west"));
        state = state.With(OverrideChange.DrainRegion("eu-west", false))
            .With(OverrideChange.Member(Us1, MemberOverride.Auto))
            .With(OverrideChange.Pin("p.", null));
        Assert.That(state.IsEmpty, Is.True);
    }

    [Test]
    public void Unknown_and_malformed_fields_are_skipped()
    {
        var state = OverrideState.FromFields(new Dictionary<string, string>
        {
            ["region:x"] = "maybe",
            ["member:nospace"] = "down",
            ["member:p. m"] = "sideways",
            ["pin:p."] = "",
            ["future:thing"] = "1",
        });
        Assert.That(state.IsEmpty, Is.True);
    }

    [Test]
    public void Applier_drives_the_board_and_override_beats_health()
    {
        var board = Board();
        var us = board.Member(Us1, "us-east");
        var eu = board.Member(Eu1, "eu-west");
        us.SetShared(HealthStatus.Down, DateTimeOffset.UnixEpoch);
        Assert.That(us.Usable, Is.False);

        var state = OverrideState.Empty
            .With(OverrideChange.DrainRegion("eu-west", true))
            .With(OverrideChange.Member(Us1, MemberOverride.ForceUp))
            .With(OverrideChange.Pin("www.gtm.example.com.", "us-east"));
        OverrideApplier.Apply(board, state);
        Assert.Multiple(() =>
        {
            Assert.That(us.Usable, Is.True, "forced up beats a down verdict");
            Assert.That(eu.Usable, Is.False, "drained");
            Assert.That(board.Pool("www.gtm.example.com.").PinnedRegion, Is.EqualTo("us-east"));
        });

        OverrideApplier.Apply(board, OverrideState.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(us.Usable, Is.False, "back to auto: the verdict rules again");
            Assert.That(eu.Usable, Is.True);
            Assert.That(board.DrainedRegions, Is.Empty);
            Assert.That(board.Pool("www.gtm.example.com.").PinnedRegion, Is.Null);
        });
    }

    [Test]
    public void In_memory_store_applies_and_reapplies_to_new_slots()
    {
        var board = Board();
        var store = new InMemoryOverrideStore(board);
        var result = store.ApplyAsync(OverrideChange.Member(Us1, MemberOverride.ForceDown)).Result;
        Assert.That(result.Shared, Is.True);
        Assert.That(board.Member(Us1, "us-east").Usable, Is.False);

        board.Retain(new HashSet<MemberKey>());
        var fresh = board.Member(Us1, "us-east");
        Assert.That(fresh.Usable, Is.True);
        store.Reapply();
        Assert.That(fresh.Usable, Is.False);
    }
}
