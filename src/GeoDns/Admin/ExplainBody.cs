using GeoDns.Explain;

namespace GeoDns.Admin;

/// <summary><c>GET /api/v1/explain</c>: the lines <c>geodns explain</c> prints, and the same facts structured.</summary>
/// <param name="Error">Set when no served zone holds the name.</param>
internal sealed record ExplainBody(
    bool Live,
    string Name,
    string Type,
    string Client,
    string ClientSource,
    string? Zone,
    string Rcode,
    string Result,
    int ExitCode,
    string? Error,
    IReadOnlyList<string> Lines,
    IReadOnlyList<ExplainRecord> Answer,
    IReadOnlyList<ExplainRecord> Authority,
    IReadOnlyList<ExplainRecord> Additional,
    ExplainPool? Pool);
