namespace GeoDns.Fuzz;

/// <summary>A target's invariant did not hold. The fuzzer reports it like any other crash.</summary>
public sealed class FuzzInvariantException : Exception
{
    public FuzzInvariantException()
    {
    }

    public FuzzInvariantException(string message)
        : base(message)
    {
    }

    public FuzzInvariantException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

internal static class Invariant
{
    public static void That(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(message);
        }
    }

    public static FuzzInvariantException Fail(string message) => new(message);
}
