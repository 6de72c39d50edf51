namespace GeoDns.Core.Traffic;

/// <summary>Random draws for the policies; injectable so tests are deterministic.</summary>
public interface IRandomSource
{
    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>).</summary>
    long Next(long exclusiveMax);
}

/// <summary>The default: <see cref="Random.Shared"/> (thread-local state, lock- and allocation-free).</summary>
public sealed class SharedRandomSource : IRandomSource
{
    public static readonly SharedRandomSource Instance = new();

    public long Next(long exclusiveMax) => Random.Shared.NextInt64(exclusiveMax);
}
