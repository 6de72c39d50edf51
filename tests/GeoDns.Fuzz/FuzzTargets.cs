namespace GeoDns.Fuzz;

/// <summary>A fuzz target: one input in, an exception out when something is wrong.</summary>
public delegate void FuzzTarget(ReadOnlySpan<byte> input);

/// <summary>
/// Every target by the name its corpus folder has (tests/fuzz/corpus/NAME, tests/fuzz/crashes/NAME).
/// bench/fuzz/run.sh runs each under afl-fuzz; GeoDns.Tests replays every corpus and crash file.
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyDictionary<string, FuzzTarget> All { get; } = new Dictionary<string, FuzzTarget>(StringComparer.Ordinal)
    {
        ["query"] = QueryTargets.Udp,
        ["tcp"] = QueryTargets.Tcp,
        ["roundtrip"] = QueryTargets.RoundTrip,
        ["zone"] = ZoneTarget.Run,
        ["edns"] = EdnsTarget.Run,
        ["admin"] = AdminTarget.Run,
    };
}
