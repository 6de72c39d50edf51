namespace GeoDns.Core.Health;

/// <summary>Check kinds by the name <c>$CHECK</c> lines use.</summary>
public sealed class CheckKindRegistry
{
    private readonly Dictionary<string, CheckKind> _kinds = new(StringComparer.Ordinal);

    public CheckKindRegistry(IEnumerable<CheckKind> kinds)
    {
        foreach (var kind in kinds)
        {
            if (!_kinds.TryAdd(kind.Name, kind))
            {
                throw new InvalidOperationException($"check kind '{kind.Name}' is registered twice");
            }
        }
    }

    public IEnumerable<string> Names => _kinds.Keys.Order(StringComparer.Ordinal);

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckKind? kind) =>
        _kinds.TryGetValue(name, out kind);
}
