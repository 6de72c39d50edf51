using System.Collections.Immutable;

namespace GeoDns.Core.Health;

/// <summary>
/// One operator action. <see cref="Field"/> and <see cref="Value"/> are its stored form in the
/// shared overrides map (a null value removes the field): <c>region:NAME</c> = <c>drained</c>,
/// <c>member:POOL MEMBER</c> = <c>up|down</c>, <c>pin:POOL</c> = REGION.
/// </summary>
public sealed record OverrideChange(string Field, string? Value)
{
    public const string RegionPrefix = "region:";
    public const string MemberPrefix = "member:";
    public const string PinPrefix = "pin:";

    public static OverrideChange DrainRegion(string region, bool drained) =>
        new(RegionPrefix + region, drained ? "drained" : null);

    public static OverrideChange Member(MemberKey key, MemberOverride value) =>
        new(MemberPrefix + key.Pool + " " + key.Member, value switch
        {
            MemberOverride.ForceUp => "up",
            MemberOverride.ForceDown => "down",
            _ => null,
        });

    public static OverrideChange Pin(string pool, string? region) => new(PinPrefix + pool, region);

    public override string ToString() => Value is null ? $"{Field} cleared" : $"{Field}={Value}";
}

/// <summary>Every operator override in force: drained regions, forced members, pinned pools. Immutable.</summary>
public sealed class OverrideState
{
    public static readonly OverrideState Empty = new(
        ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal),
        ImmutableSortedDictionary<MemberKey, MemberOverride>.Empty.WithComparers(MemberKeyComparer.Instance),
        ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));

    private OverrideState(
        ImmutableSortedSet<string> drainedRegions,
        ImmutableSortedDictionary<MemberKey, MemberOverride> members,
        ImmutableSortedDictionary<string, string> pins)
    {
        DrainedRegions = drainedRegions;
        Members = members;
        Pins = pins;
    }

    public ImmutableSortedSet<string> DrainedRegions { get; }

    public ImmutableSortedDictionary<MemberKey, MemberOverride> Members { get; }

    /// <summary>Pool name to the region every answer goes to.</summary>
    public ImmutableSortedDictionary<string, string> Pins { get; }

    public bool IsEmpty => DrainedRegions.IsEmpty && Members.IsEmpty && Pins.IsEmpty;

    /// <summary>
    /// Pins to a drained region, as (pool, region). Drain wins: the pool selector answers such a
    /// pool as if unpinned until the region is undrained, when the pin is in force again.
    /// </summary>
    public IReadOnlyList<(string Pool, string Region)> PinsOverriddenByDrain =>
        [.. Pins.Where(p => DrainedRegions.Contains(p.Value)).Select(p => (p.Key, p.Value))];

    /// <summary>Overrides that cancel each other, for the operator (the admin API shows them with every override listing).</summary>
    public IReadOnlyList<string> Conflicts() =>
        [.. PinsOverriddenByDrain.Select(p =>
            $"pool {p.Pool} is pinned to region {p.Region}, but region {p.Region} is drained: drain wins, the pool answers as if unpinned until the region is undrained")];

    public OverrideState With(OverrideChange change)
    {
        var fields = ToFields().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (change.Value is null)
        {
            fields.Remove(change.Field);
        }
        else
        {
            fields[change.Field] = change.Value;
        }

        return FromFields(fields);
    }

    /// <summary>The stored form: one field per override (see <see cref="OverrideChange"/>).</summary>
    public IEnumerable<KeyValuePair<string, string>> ToFields()
    {
        foreach (var region in DrainedRegions)
        {
            yield return new(OverrideChange.RegionPrefix + region, "drained");
        }

        foreach (var (key, value) in Members)
        {
            var change = OverrideChange.Member(key, value);
            if (change.Value is not null)
            {
                yield return new(change.Field, change.Value);
            }
        }

        foreach (var (pool, region) in Pins)
        {
            yield return new(OverrideChange.PinPrefix + pool, region);
        }
    }

    /// <summary>Reads the stored form; unknown or malformed fields are skipped.</summary>
    public static OverrideState FromFields(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var regions = Empty.DrainedRegions.ToBuilder();
        var members = Empty.Members.ToBuilder();
        var pins = Empty.Pins.ToBuilder();
        foreach (var (field, value) in fields)
        {
            if (field.StartsWith(OverrideChange.RegionPrefix, StringComparison.Ordinal))
            {
                if (value == "drained" && field.Length > OverrideChange.RegionPrefix.Length)
                {
                    regions.Add(field[OverrideChange.RegionPrefix.Length..]);
                }
            }
            else if (field.StartsWith(OverrideChange.MemberPrefix, StringComparison.Ordinal))
            {
                var rest = field.AsSpan(OverrideChange.MemberPrefix.Length);
                int space = rest.LastIndexOf(' ');
                var forced = value switch
                {
                    "up" => MemberOverride.ForceUp,
                    "down" => MemberOverride.ForceDown,
                    _ => MemberOverride.Auto,
                };
                if (space > 0 && space < rest.Length - 1 && forced != MemberOverride.Auto)
                {
                    members[new MemberKey(rest[..space].ToString(), rest[(space + 1)..].ToString())] = forced;
                }
            }
            else if (field.StartsWith(OverrideChange.PinPrefix, StringComparison.Ordinal))
            {
                if (field.Length > OverrideChange.PinPrefix.Length && value.Length > 0)
                {
                    pins[field[OverrideChange.PinPrefix.Length..]] = value;
                }
            }
        }

        return new OverrideState(regions.ToImmutable(), members.ToImmutable(), pins.ToImmutable());
    }

    public bool SameAs(OverrideState other) =>
        ReferenceEquals(this, other) || ToFields().SequenceEqual(other.ToFields());

    public override string ToString() => string.Join(", ", ToFields().Select(p => $"{p.Key}={p.Value}"));

    private sealed class MemberKeyComparer : IComparer<MemberKey>
    {
        public static readonly MemberKeyComparer Instance = new();

        public int Compare(MemberKey x, MemberKey y)
        {
            int c = string.CompareOrdinal(x.Pool, y.Pool);
            return c != 0 ? c : string.CompareOrdinal(x.Member, y.Member);
        }
    }
}

/// <summary>Makes the <see cref="HealthBoard"/> reflect an <see cref="OverrideState"/>. Idempotent and cheap when nothing changed.</summary>
public static class OverrideApplier
{
    public static void Apply(HealthBoard board, OverrideState state)
    {
        foreach (var region in board.DrainedRegions)
        {
            if (!state.DrainedRegions.Contains(region))
            {
                board.SetRegionDrained(region, false);
            }
        }

        foreach (var region in state.DrainedRegions)
        {
            board.SetRegionDrained(region, true);
        }

        foreach (var member in board.Members)
        {
            var wanted = state.Members.GetValueOrDefault(member.Key, MemberOverride.Auto);
            if (member.Override != wanted)
            {
                member.SetOverride(wanted);
            }
        }

        foreach (var pool in board.Pools)
        {
            var wanted = state.Pins.GetValueOrDefault(pool.Name);
            if (!string.Equals(pool.PinnedRegion, wanted, StringComparison.Ordinal))
            {
                pool.PinnedRegion = wanted;
            }
        }

        foreach (var (pool, region) in state.Pins)
        {
            var slot = board.Pool(pool);
            if (!string.Equals(slot.PinnedRegion, region, StringComparison.Ordinal))
            {
                slot.PinnedRegion = region;
            }
        }
    }
}

/// <summary>The outcome of an operator action.</summary>
/// <param name="Shared">True when every instance will see it (written to the shared store, or there is only one instance).</param>
/// <param name="Detail">What happened, for the operator.</param>
public sealed record OverrideResult(bool Shared, string Detail);

/// <summary>
/// Operator overrides: drains, forced members, pins. Every instance applies the same set to its
/// <see cref="HealthBoard"/>; with Redis the set lives there and survives restarts.
/// </summary>
public interface IOverrideStore
{
    /// <summary>The overrides this instance applies now.</summary>
    OverrideState Current { get; }

    /// <summary>Records <paramref name="change"/> for every instance and applies it here. Never throws for an unreachable store.</summary>
    Task<OverrideResult> ApplyAsync(OverrideChange change, CancellationToken cancellationToken = default);

    /// <summary>Applies <see cref="Current"/> to the board again (after a zone load created new slots).</summary>
    void Reapply();
}

/// <summary>Overrides of a single instance, kept in memory (lost on restart).</summary>
public sealed class InMemoryOverrideStore(HealthBoard board) : IOverrideStore
{
    private readonly Lock _lock = new();
    private OverrideState _state = OverrideState.Empty;

    public OverrideState Current => Volatile.Read(ref _state);

    public Task<OverrideResult> ApplyAsync(OverrideChange change, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Volatile.Write(ref _state, _state.With(change));
            OverrideApplier.Apply(board, _state);
        }

        return Task.FromResult(new OverrideResult(true, $"{change}: applied (single instance, kept in memory)"));
    }

    public void Reapply()
    {
        lock (_lock)
        {
            OverrideApplier.Apply(board, _state);
        }
    }
}
