using GeoDns.Core.Wire;

namespace GeoDns.Core.Traffic;

/// <summary>
/// One decision for one query: which members may answer (enabled, in the pinned region,
/// healthy), the pool's policy over them, and <c>if-all-down</c> when none is healthy.
/// Allocation-free without a trace; explain passes a trace to the same code.
/// </summary>
public static class PoolSelector
{
    /// <summary>
    /// Writes the chosen member indices into <paramref name="chosen"/> (at least
    /// <see cref="PoolModel.Capacity"/> long) and returns how many (0: NODATA).
    /// <paramref name="scopePrefix"/> is how many leading client bits decided (0: none).
    /// </summary>
    public static int Select(PoolModel pool, ClientAddress client, int clientPrefix, IClientLocator locator,
        IRandomSource random, Span<int> chosen, out int scopePrefix, SelectionTrace? trace = null) =>
        Select(pool, client, clientPrefix, locator, random, chosen, out scopePrefix, out _, trace);

    /// <inheritdoc cref="Select(PoolModel, ClientAddress, int, IClientLocator, IRandomSource, Span{int}, out int, SelectionTrace?)"/>
    /// <param name="reason">Why: all down, pinned, shaped by an override, or what the policy reported (see <see cref="DecisionReason"/>).</param>
    public static int Select(PoolModel pool, ClientAddress client, int clientPrefix, IClientLocator locator,
        IRandomSource random, Span<int> chosen, out int scopePrefix, out DecisionReason reason, SelectionTrace? trace = null)
    {
        var members = pool.Members;
        Span<int> usable = stackalloc int[members.Length];
        Span<int> eligible = stackalloc int[members.Length];
        Span<bool> isUsable = stackalloc bool[members.Length];
        Span<bool> isEligible = stackalloc bool[members.Length];
        string? pin = Pin(pool, trace);

        int usableCount = 0;
        int eligibleCount = 0;
        bool overridden = false;
        foreach (var member in members)
        {
            if (!member.Enabled || (pin is not null && !string.Equals(member.RegionName, pin, StringComparison.Ordinal)))
            {
                continue;
            }

            overridden |= member.Slot.Overridden;

            isEligible[member.Index] = true;
            eligible[eligibleCount++] = member.Index;
            if (member.Slot.Usable)
            {
                isUsable[member.Index] = true;
                usable[usableCount++] = member.Index;
            }
        }

        IRoutingPolicy policy = pool.Policy;
        int limit = Math.Min(pool.MaxAnswers, chosen.Length);
        scoped SelectionContext context;
        if (usableCount > 0)
        {
            context = new(pool, usable[..usableCount], isUsable, client, clientPrefix, locator, random, trace);
            trace?.Add($"policy {policy.Name} over {usableCount} usable of {members.Length} member(s)");
        }
        else
        {
            trace?.Add($"no usable member ({eligibleCount} enabled{(pin is null ? string.Empty : " in the pinned region")}, all down): if-all-down={IfAllDownText(pool)}");
            if (pool.IfAllDown == AllDownMode.None)
            {
                scopePrefix = 0;
                reason = DecisionReason.AllDown;
                return 0;
            }

            policy = pool.IfAllDownPolicy!;
            if (pool.IfAllDown == AllDownMode.All)
            {
                limit = Math.Min(pool.Capacity, chosen.Length);
            }

            context = new(pool, eligible[..eligibleCount], isEligible, client, clientPrefix, locator, random, trace);
        }

        int count = policy.Select(ref context, chosen[..limit]);
        scopePrefix = count == 0 ? 0 : Math.Min(context.ScopePrefix, Math.Max(clientPrefix, 0));
        reason = usableCount == 0 ? DecisionReason.AllDown
            : pin is not null ? DecisionReason.Pin
            : overridden ? DecisionReason.Override
            : context.Reason;
        return count;
    }

    /// <summary>
    /// The pinned region, when the pin names one that has an enabled member of this pool and is
    /// not drained. Drain is the emergency lever and wins over a pin: a pool pinned to a drained
    /// region answers as if unpinned (docs/shared-state.md, "Pins and drains").
    /// </summary>
    private static string? Pin(PoolModel pool, SelectionTrace? trace)
    {
        string? pin = pool.Slot.PinnedRegion;
        if (pin is null)
        {
            return null;
        }

        foreach (var member in pool.Members)
        {
            if (member.Enabled && string.Equals(member.RegionName, pin, StringComparison.Ordinal))
            {
                if (member.Slot.RegionDrained)
                {
                    trace?.Add($"operator pin to region {pin} ignored: the region is drained (drain wins), answering as if unpinned");
                    return null;
                }

                trace?.Add($"operator pin: answering only from region {pin}");
                return pin;
            }
        }

        trace?.Add($"operator pin to region {pin} ignored: the pool has no enabled member there");
        return null;
    }

    public static string IfAllDownText(PoolModel pool) => pool.IfAllDown switch
    {
        AllDownMode.All => "all",
        AllDownMode.None => "none",
        _ => pool.IfAllDownPolicy!.Name,
    };
}
