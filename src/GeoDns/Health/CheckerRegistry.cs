using GeoDns.Core.Health;

namespace GeoDns.Health;

/// <summary>Finds the checker for a check kind. Every registered <see cref="IHealthChecker"/> takes its kinds.</summary>
public sealed class CheckerRegistry
{
    /// <summary>How long start-up waits at most for the checkers to warm up.</summary>
    public static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(2);

    private readonly Lazy<Task> _warmUp;

    private readonly Dictionary<string, IHealthChecker> _byKind = new(StringComparer.Ordinal);

    public CheckerRegistry(IEnumerable<IHealthChecker> checkers)
    {
        foreach (var checker in checkers)
        {
            foreach (var kind in checker.Kinds)
            {
                if (!_byKind.TryAdd(kind.Name, checker))
                {
                    throw new InvalidOperationException($"two checkers claim check kind '{kind}'");
                }
            }
        }

        CheckKinds = new CheckKindRegistry(_byKind.Values.Distinct().SelectMany(c => c.Kinds));
        _warmUp = new Lazy<Task>(() => WarmUpAllAsync(_byKind.Values.Distinct().ToList()));
    }

    /// <summary>Completes when every checker has warmed up (or failed to, or <see cref="WarmUpLimit"/> passed); never faults.</summary>
    public Task WarmUp => _warmUp.Value;

    public IReadOnlyCollection<string> Kinds => _byKind.Keys;

    /// <summary>The kinds the registered checkers run, with their settings: what zone files may use.</summary>
    public CheckKindRegistry CheckKinds { get; }

    public bool TryGet(string kind, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IHealthChecker? checker) =>
        _byKind.TryGetValue(kind, out checker);

    private static async Task WarmUpAllAsync(List<IHealthChecker> checkers)
    {
        using var limit = new CancellationTokenSource(WarmUpLimit);
        try
        {
            await Task.WhenAll(checkers.Select(c => Task.Run(() => c.WarmUpAsync(limit.Token)))).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Warming up is an optimisation: a checker that cannot warm up still probes.
        }
    }
}
