namespace GeoDns.Health;

/// <summary>Finds the checker for a check kind. Every registered <see cref="IHealthChecker"/> takes its kinds.</summary>
public sealed class CheckerRegistry
{
    private readonly Dictionary<string, IHealthChecker> _byKind = new(StringComparer.Ordinal);

    public CheckerRegistry(IEnumerable<IHealthChecker> checkers)
    {
        foreach (var checker in checkers)
        {
            foreach (var kind in checker.Kinds)
            {
                if (!_byKind.TryAdd(kind, checker))
                {
                    throw new InvalidOperationException($"two checkers claim check kind '{kind}'");
                }
            }
        }
    }

    public IReadOnlyCollection<string> Kinds => _byKind.Keys;

    public bool TryGet(string kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IHealthChecker? checker) =>
        _byKind.TryGetValue(kind, out checker);
}
