using GeoDns.Core.Wire;

namespace GeoDns.Core.Traffic;

/// <summary>
/// The steps of one decision in words, for <c>geodns explain</c>. The query path passes null
/// and pays nothing; explain runs the very same selection code with a trace.
/// </summary>
public sealed class SelectionTrace
{
    private readonly List<string> _steps = [];

    public IReadOnlyList<string> Steps => _steps;

    /// <summary>Where the client was located, once known.</summary>
    public ClientLocation? Location { get; private set; }

    public string? LocatedBy { get; private set; }

    /// <summary>The region that decided, when one did.</summary>
    public string? Region { get; set; }

    public void Add(string step) => _steps.Add(step);

    internal void Located(ClientAddress client, int prefix, ClientLocation location)
    {
        Location = location;
        string network = $"{client.Masked(prefix)}/{prefix}";
        LocatedBy = location.Found
            ? $"{location.Source ?? "locator"}: {network} is in a /{location.NetworkPrefix} network: {location}"
            : $"{location.Source ?? "locator"}: nothing known for {network}";
        _steps.Add($"located the client: {LocatedBy}");
    }
}
