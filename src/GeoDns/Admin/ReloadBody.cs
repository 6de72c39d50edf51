namespace GeoDns.Admin;

/// <summary><c>POST /api/v1/reload</c>: the reload report and its errors as <c>file:line:column: error: message</c>.</summary>
internal sealed record ReloadBody(
    bool Ok,
    int Reloads,
    int Failed,
    string? FolderError,
    int Served,
    IReadOnlyList<ZoneReloadReport> Zones,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Errors);
