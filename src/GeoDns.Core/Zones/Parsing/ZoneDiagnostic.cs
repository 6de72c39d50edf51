namespace GeoDns.Core.Zones.Parsing;

/// <summary>Where something was written: file, 1-based line and column.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>A problem found while loading or checking a zone, always with its place.</summary>
public sealed record ZoneDiagnostic(DiagnosticSeverity Severity, SourceLocation Location, string Message)
{
    public override string ToString() =>
        $"{Location}: {(Severity == DiagnosticSeverity.Error ? "error" : "warning")}: {Message}";
}
