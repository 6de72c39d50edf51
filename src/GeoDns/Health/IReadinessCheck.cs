namespace GeoDns.Health;

/// <summary>A readiness condition the host adds (zones loaded, listeners bound…), reported by <c>/readyz</c>.</summary>
public interface IReadinessCheck
{
    string Name { get; }

    bool Ready { get; }
}
