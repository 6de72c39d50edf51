using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Zones.RData;
using GeoDns.Explain;
using GeoDns.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace GeoDns.Admin;

/// <summary>The endpoints over the served zones: live explain and reload.</summary>
public static partial class AdminApi
{
    /// <summary>
    /// <c>GET /api/v1/explain?name=&amp;type=&amp;client=|subnet=</c>: the trace of <c>geodns explain</c>
    /// computed from the snapshot being served with the live health, votes, overrides and pins
    /// (lines and the same facts structured; 404 when no served zone holds the name, with the
    /// trace); <c>POST /api/v1/reload</c>: reloads the zones folder as SIGHUP does and answers once
    /// the new snapshot serves (422 with every error as file:line:column when a zone file has errors).
    /// Without <paramref name="zones"/> (a host that serves no zones) both answer 503.
    /// </summary>
    public static void MapZones(IEndpointRouteBuilder app, IServedZones? zones, HealthBoard board, ISharedStateView view, AdminToken token, ILogger logger)
    {
        var oneAtATime = new SemaphoreSlim(1, 1);
        app.MapGet("/api/v1/explain", async (HttpContext http, CancellationToken ct) =>
        {
            if (zones is null)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, "this host serves no zones");
            }

            var query = http.Request.Query;
            string? name = query["name"].FirstOrDefault();
            string? type = query["type"].FirstOrDefault();
            string? client = query["client"].FirstOrDefault();
            string? subnet = query["subnet"].FirstOrDefault();
            if (string.IsNullOrWhiteSpace(name))
            {
                return Error(StatusCodes.Status400BadRequest, "give ?name=NAME (and type=TYPE, client=IP or subnet=CIDR if wanted)");
            }

            if (name.Length > DnsName.MaxWireLength + 1 || new[] { type, client, subnet }.Any(v => v?.Length > MaxQuotedChars))
            {
                return Error(StatusCodes.Status400BadRequest, $"name {Quote(name)} or a parameter is too long");
            }

            if (!ExplainInput.TryCreate(name, type, client, subnet, string.Empty, out var input, out string? problem))
            {
                return Error(StatusCodes.Status400BadRequest, problem!);
            }

            // One explanation at a time: it may read a zone file again to name a record's line.
            await oneAtATime.WaitAsync(ct).ConfigureAwait(false);
            ExplainResult result;
            try
            {
                result = Explainer.Explain(input, zones.Served() with { Board = board, Votes = view.VotesFor });
            }
            finally
            {
                oneAtATime.Release();
            }

            return Results.Json(ExplainJson(result), AdminJson.Http.ExplainBody, statusCode: result.InNoZone ? StatusCodes.Status404NotFound : StatusCodes.Status200OK);
        });

        app.MapPost("/api/v1/reload", async (HttpContext http) =>
        {
            if (Refused(http, token, logger) is { } refused)
            {
                return refused;
            }

            if (zones is null)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, "this host serves no zones");
            }

            logger.LogInformation("Admin API: reloading zones");
            var report = await Task.Run(zones.Reload).ConfigureAwait(false);
            bool ok = report.Failed == 0 && report.FolderError is null;
            var errors = report.Zones.SelectMany(z => z.Diagnostics).Where(d => d.Contains(": error: ", StringComparison.Ordinal)).ToList();
            return Results.Json(new ReloadBody(ok, report.Reloads, report.Failed, report.FolderError, report.Served, report.Zones, report.Removed, errors),
                AdminJson.Http.ReloadBody, statusCode: ok ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
        });
    }

    private static ExplainBody ExplainJson(ExplainResult result) => new(
        result.Live,
        result.Input.Name.ToString(),
        RecordTypes.Mnemonic(result.Input.Type),
        $"{result.Input.Client.Masked(result.Input.Prefix)}/{result.Input.Prefix}",
        result.Input.ClientSource,
        result.Zone,
        result.Rcode,
        result.Result,
        result.ExitCode,
        result.InNoZone ? $"{result.Input.Name} is in no zone served here" : null,
        result.Lines,
        result.Records.Where(r => r.Section == "answer").ToList(),
        result.Records.Where(r => r.Section == "authority").ToList(),
        result.Records.Where(r => r.Section == "additional").ToList(),
        result.Pool);
}
