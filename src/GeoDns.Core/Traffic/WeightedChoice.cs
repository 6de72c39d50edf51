namespace GeoDns.Core.Traffic;

/// <summary>
/// Picks members by weight: a fresh random draw per query, or for <c>sticky=subnet</c> a
/// weighted rendezvous hash of the client subnet, so a subnet keeps its member while that
/// member stays healthy (and only the failed member's subnets move when one goes down).
/// </summary>
public static class WeightedChoice
{
    /// <summary>The subnet sticky selection keys on: IPv4 /24, IPv6 /56 (or the ECS prefix, if shorter).</summary>
    public static int StickyPrefix(in SelectionContext context) =>
        Math.Min(context.ClientPrefix, context.Client.IsIPv4 ? 24 : 56);

    /// <summary>Writes up to <c>chosen.Length</c> distinct members of <paramref name="candidates"/>; returns how many.</summary>
    public static int Pick(ref SelectionContext context, scoped ReadOnlySpan<int> candidates, Span<int> chosen)
    {
        if (candidates.IsEmpty || chosen.IsEmpty)
        {
            return 0;
        }

        return context.Pool.StickySubnet
            ? Rendezvous(ref context, candidates, chosen)
            : Random(ref context, candidates, chosen);
    }

    private static int Random(ref SelectionContext context, scoped ReadOnlySpan<int> candidates, Span<int> chosen)
    {
        var members = context.Pool.Members;
        Span<int> left = stackalloc int[candidates.Length];
        candidates.CopyTo(left);
        int remaining = left.Length;
        int count = 0;
        while (count < chosen.Length && remaining > 0)
        {
            long total = 0;
            for (int i = 0; i < remaining; i++)
            {
                total += members[left[i]].Weight;
            }

            // All weights zero: every member is as good as another.
            int at = 0;
            if (total == 0)
            {
                at = (int)context.Random.Next(remaining);
            }
            else
            {
                long draw = context.Random.Next(total);
                while (draw >= members[left[at]].Weight)
                {
                    draw -= members[left[at]].Weight;
                    at++;
                }
            }

            chosen[count++] = left[at];
            if (count < chosen.Length)
            {
                // Remove the pick, keeping file order so draws stay reproducible.
                left[(at + 1)..remaining].CopyTo(left[at..]);
            }

            remaining--;
        }

        context.Trace?.Add($"weighted random draw among {Describe(context.Pool, candidates)}");
        return count;
    }

    private static int Rendezvous(ref SelectionContext context, scoped ReadOnlySpan<int> candidates, Span<int> chosen)
    {
        var members = context.Pool.Members;
        int prefix = StickyPrefix(context);
        ulong subnet = Hash(context.Client.Masked(prefix).Value, (ulong)prefix);
        Span<double> scores = stackalloc double[candidates.Length];
        Span<int> order = stackalloc int[candidates.Length];
        bool anyWeight = false;
        foreach (int member in candidates)
        {
            anyWeight |= members[member].Weight > 0;
        }

        for (int i = 0; i < candidates.Length; i++)
        {
            var member = members[candidates[i]];
            double weight = anyWeight ? member.Weight : 1;
            ulong h = Mix(subnet ^ member.Seed);
            double u = ((h >> 11) + 0.5) * (1.0 / (1UL << 53));

            // Weighted rendezvous: the lowest -ln(u)/w wins with probability w / sum(w).
            scores[i] = weight > 0 ? -Math.Log(u) / weight : double.PositiveInfinity;
            order[i] = candidates[i];
        }

        scores.Sort(order);
        int count = Math.Min(chosen.Length, order.Length);
        order[..count].CopyTo(chosen);
        context.DependsOn(prefix);
        context.Trace?.Add($"sticky=subnet: rendezvous hash of {context.Client.Masked(prefix)}/{prefix} among {Describe(context.Pool, candidates)}");
        return count;
    }

    private static ulong Hash(UInt128 value, ulong salt) => Mix((ulong)value ^ Mix((ulong)(value >> 64) ^ salt));

    /// <summary>SplitMix64 finaliser.</summary>
    private static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }

    internal static string Describe(PoolModel pool, ReadOnlySpan<int> members)
    {
        var parts = new List<string>(members.Length);
        foreach (int m in members)
        {
            parts.Add($"{pool.Members[m].Target} (weight {pool.Members[m].Weight})");
        }

        return string.Join(", ", parts);
    }

    /// <summary>A stable 64-bit seed for a member (FNV-1a of its RDATA).</summary>
    public static ulong SeedOf(ReadOnlySpan<byte> rdata)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in rdata)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        return Mix(h);
    }
}
