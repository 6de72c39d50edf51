using System.Text.Json;
using GeoDns.Core.Dns;
using GeoDns.Core.Health;
using GeoDns.Core.Zones.RData;
using GeoDns.Explain;
using GeoDns.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoDns.Admin;

/// <summary>
/// The admin endpoints. GET needs no token; every POST needs <c>Authorization: Bearer TOKEN</c>
/// (401 without or with a wrong one, 403 when no token file is configured). Unknown regions,
/// pools and members get 404 with a message. Responses are JSON. Request bodies are capped
/// (<see cref="LimitBodies"/>) and messages quote a client's input only as a short prefix.
/// </summary>
public static partial class AdminApi
{
    /// <param name="logger">Every change made (what, by which address, with which token's name) and every one refused.</param>
    public static void Map(IEndpointRouteBuilder app, HealthBoard board, IOverrideStore overrides, ISharedStateView view,
        AdminToken token, IEnumerable<IReadinessCheck> readiness, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        app.MapGet("/healthz", () => Results.Json(new HealthBody("ok"), AdminJson.Http.HealthBody));
        app.MapGet("/readyz", () =>
        {
            var checks = readiness.Select(c => new ReadyCheck(c.Name, c.Ready)).ToList();
            bool ready = checks.All(c => c.Ready);
            return Results.Json(new ReadyBody(ready, checks, view.Report()), AdminJson.Http.ReadyBody,
                statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/api/v1/pools", () => Results.Json(Status(board, overrides, view), AdminJson.Http.PoolsBody));
        app.MapGet("/api/v1/overrides", () => Results.Json(Overrides(overrides.Current), AdminJson.Http.OverridesBody));

        app.MapPost("/api/v1/regions/{region}/drain", (HttpContext http, string region, CancellationToken ct) =>
            RegionAsync(http, region, drained: true, ct));
        app.MapPost("/api/v1/regions/{region}/undrain", (HttpContext http, string region, CancellationToken ct) =>
            RegionAsync(http, region, drained: false, ct));
        app.MapPost("/api/v1/pools/{pool}/members/{member}/state", MemberStateAsync);
        app.MapPost("/api/v1/pools/{pool}/pin/{region}", (HttpContext http, string pool, string region, CancellationToken ct) =>
            PinAsync(http, pool, region, ct));
        app.MapPost("/api/v1/pools/{pool}/unpin", (HttpContext http, string pool, CancellationToken ct) =>
            PinAsync(http, pool, null, ct));

        async Task<IResult> RegionAsync(HttpContext http, string region, bool drained, CancellationToken ct)
        {
            if (Refuse(http) is { } refused)
            {
                return refused;
            }

            if (!KnownRegions(board, overrides.Current).Contains(region))
            {
                return Error(StatusCodes.Status404NotFound,
                    $"unknown region {Quote(region)}: no pool has a member there (known: {string.Join(", ", KnownRegions(board, overrides.Current).Order(StringComparer.Ordinal))})");
            }

            return await ApplyAsync(http, OverrideChange.DrainRegion(region, drained), ct).ConfigureAwait(false);
        }

        async Task<IResult> MemberStateAsync(HttpContext http, string pool, string member, CancellationToken ct)
        {
            if (Refuse(http) is { } refused)
            {
                return refused;
            }

            string? stateText = http.Request.Query["state"].FirstOrDefault();
            if (stateText is null)
            {
                using var reader = new StreamReader(http.Request.Body);
                stateText = ReadState(await reader.ReadToEndAsync(ct).ConfigureAwait(false));
            }

            MemberOverride? wanted = stateText?.Trim().ToLowerInvariant() switch
            {
                "up" => MemberOverride.ForceUp,
                "down" => MemberOverride.ForceDown,
                "auto" => MemberOverride.Auto,
                _ => null,
            };
            if (wanted is null)
            {
                return Error(StatusCodes.Status400BadRequest,
                    $"state must be up, down or auto (as ?state=, a JSON {{\"state\": ...}} body or a plain body); got {Quote(stateText)}");
            }

            if (FindPool(board, pool) is not { } poolName)
            {
                return Error(StatusCodes.Status404NotFound, $"unknown pool {Quote(pool)}");
            }

            var slot = board.Members.FirstOrDefault(m => m.Key.Pool == poolName
                && string.Equals(m.Key.Member, member, StringComparison.OrdinalIgnoreCase));
            if (slot is null)
            {
                return Error(StatusCodes.Status404NotFound, $"pool '{poolName}' has no member {Quote(member)} (members: "
                    + string.Join(", ", board.Members.Where(m => m.Key.Pool == poolName).Select(m => m.Key.Member).Order(StringComparer.Ordinal)) + ")");
            }

            return await ApplyAsync(http, OverrideChange.Member(slot.Key, wanted.Value), ct).ConfigureAwait(false);
        }

        async Task<IResult> PinAsync(HttpContext http, string pool, string? region, CancellationToken ct)
        {
            if (Refuse(http) is { } refused)
            {
                return refused;
            }

            if (FindPool(board, pool) is not { } poolName)
            {
                return Error(StatusCodes.Status404NotFound, $"unknown pool {Quote(pool)}");
            }

            if (region is not null && !board.Members.Any(m => m.Key.Pool == poolName && m.Region == region))
            {
                return Error(StatusCodes.Status404NotFound, $"pool '{poolName}' has no member in region {Quote(region)} (regions: "
                    + string.Join(", ", board.Members.Where(m => m.Key.Pool == poolName).Select(m => m.Region).Distinct().Order(StringComparer.Ordinal)) + ")");
            }

            return await ApplyAsync(http, OverrideChange.Pin(poolName, region), ct).ConfigureAwait(false);
        }

        IResult? Refuse(HttpContext http) => Refused(http, token, logger);

        async Task<IResult> ApplyAsync(HttpContext http, OverrideChange change, CancellationToken ct)
        {
            var result = await overrides.ApplyAsync(change, ct).ConfigureAwait(false);
            AdminLog.OverrideApplied(logger, change.ToString(), Caller(http), token.Name ?? "unnamed",
                result.Shared ? "applied" : "applied on this instance, shared once Redis returns", result.Detail);
            return Done(result);
        }

        IResult Done(OverrideResult result) => Results.Json(
            new ChangeBody(true, result.Shared, result.Detail, Overrides(overrides.Current)), AdminJson.Http.ChangeBody,
            statusCode: result.Shared ? StatusCodes.Status200OK : StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// The token check of every change: 403 when no token file is configured, 401 without the
    /// right bearer token; each refusal is logged with the caller (never the token).
    /// </summary>
    private static IResult? Refused(HttpContext http, AdminToken token, ILogger logger)
    {
        bool warmUp = http.Request.Headers.ContainsKey(WarmUpHeader);
        if (!token.Configured)
        {
            if (!warmUp)
            {
                AdminLog.Refused(logger, Caller(http), http.Request.Method, http.Request.Path, StatusCodes.Status403Forbidden, "no token file configured");
            }

            return Error(StatusCodes.Status403Forbidden,
                "admin changes are disabled: start geodns with --admin-token-file FILE to allow them");
        }

        if (!token.Accepts(http.Request.Headers.Authorization.FirstOrDefault()))
        {
            if (!warmUp)
            {
                AdminLog.Refused(logger, Caller(http), http.Request.Method, http.Request.Path, StatusCodes.Status401Unauthorized, "missing or wrong bearer token");
            }

            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Error(StatusCodes.Status401Unauthorized, "missing or wrong bearer token (Authorization: Bearer TOKEN)");
        }

        return null;
    }

    /// <summary>Marks the admin service's own start-up request (refused like any other, not logged).</summary>
    internal const string WarmUpHeader = "X-GeoDns-Warm-Up";

    /// <summary>The client's address and port, as the connection saw it.</summary>
    private static string Caller(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } address ? $"{address}:{http.Connection.RemotePort}" : "unknown";

    private static IResult Error(int status, string message) => Results.Json(new ErrorBody(message), AdminJson.Http.ErrorBody, statusCode: status);

    /// <summary>Largest request body accepted on any route; larger ones get 413 unread.</summary>
    public const int MaxBodyBytes = 4096;

    /// <summary>Most characters of a client's input an error message repeats.</summary>
    internal const int MaxQuotedChars = 64;

    /// <summary>Client input as error messages show it: quoted, and cut to a short prefix.</summary>
    internal static string Quote(string? text)
    {
        if (text is null)
        {
            return "nothing";
        }

        return text.Length <= MaxQuotedChars
            ? $"'{text}'"
            : $"'{text[..MaxQuotedChars]}...' ({text.Length} characters)";
    }

    /// <summary>
    /// Caps every request body at <see cref="MaxBodyBytes"/>: a larger Content-Length gets 413
    /// without reading a byte of it; a body of unknown length is read into at most that much
    /// and handed on from memory, or refused with 413 once it goes past. The connection closes
    /// after a 413 (the rest of the body is never read).
    /// </summary>
    public static void LimitBodies(IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var request = http.Request;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes; // Kestrel's own check, behind this one
        }

        if (request.ContentLength is long length)
        {
            if (length > MaxBodyBytes)
            {
                await TooLarge(http).ConfigureAwait(false);
                return;
            }
        }
        else if (http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            var buffer = new byte[MaxBodyBytes + 1];
            int read = 0;
            try
            {
                int n;
                while (read < buffer.Length && (n = await request.Body.ReadAsync(buffer.AsMemory(read), http.RequestAborted).ConfigureAwait(false)) > 0)
                {
                    read += n;
                }
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                read = buffer.Length;
            }

            if (read > MaxBodyBytes)
            {
                await TooLarge(http).ConfigureAwait(false);
                return;
            }

            request.Body = new MemoryStream(buffer, 0, read, writable: false);
        }

        await next(http).ConfigureAwait(false);
    });

    private static Task TooLarge(HttpContext http)
    {
        http.Response.Headers.Connection = "close";
        return Error(StatusCodes.Status413PayloadTooLarge, $"request body over {MaxBodyBytes} bytes").ExecuteAsync(http);
    }

    /// <summary>The wanted state from a member-state body: <c>{"state": "down"}</c>, <c>"down"</c> or <c>down</c>.</summary>
    internal static string? ReadState(string body)
    {
        body = body.Trim();
        if (body.Length == 0)
        {
            return null;
        }

        if (body[0] is '{' or '"')
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.String)
                {
                    return root.GetString();
                }

                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("state", out var state)
                    && state.ValueKind == JsonValueKind.String)
                {
                    return state.GetString();
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                // Not JSON, or a string JSON cannot hand back (an escaped lone surrogate such as
                // "\ud800" throws InvalidOperationException): the body is taken as plain text.
            }

            return body;
        }

        return body;
    }

    /// <summary>Pool names match as written, or case-insensitively with or without the final dot.</summary>
    internal static string? FindPool(HealthBoard board, string pool)
    {
        var names = board.Members.Select(m => m.Key.Pool).Concat(board.Pools.Select(p => p.Name))
            .Distinct(StringComparer.Ordinal).ToList();
        if (names.Contains(pool, StringComparer.Ordinal))
        {
            return pool;
        }

        string bare = pool.TrimEnd('.');
        return names.FirstOrDefault(n => string.Equals(n.TrimEnd('.'), bare, StringComparison.OrdinalIgnoreCase)
            && board.Members.Any(m => m.Key.Pool == n));
    }

    private static HashSet<string> KnownRegions(HealthBoard board, OverrideState state)
    {
        var regions = new HashSet<string>(board.Members.Select(m => m.Region), StringComparer.Ordinal);
        regions.UnionWith(board.DrainedRegions);
        regions.UnionWith(state.DrainedRegions);
        return regions;
    }

    internal static OverridesBody Overrides(OverrideState state) => new(
        state.DrainedRegions,
        state.Members.Select(p => new MemberOverrideEntry(p.Key.Pool, p.Key.Member, p.Value == MemberOverride.ForceUp ? "up" : "down")).ToList(),
        state.Pins.Select(p => new PinEntry(p.Key, p.Value)).ToList(),
        state.Conflicts());

    private static PoolsBody Status(HealthBoard board, IOverrideStore overrides, ISharedStateView view)
    {
        var members = board.Members.ToList();
        var poolNames = members.Select(m => m.Key.Pool).Concat(board.Pools.Select(p => p.Name))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new PoolsBody(view.Report(), Overrides(overrides.Current), poolNames.Select(name => new PoolStatus(
            name,
            board.Pools.FirstOrDefault(p => p.Name == name)?.PinnedRegion,
            members.Where(m => m.Key.Pool == name).OrderBy(m => m.Key.Member, StringComparer.Ordinal).Select(m => new MemberStatus(
                m.Key.Member,
                m.Region,
                m.Usable,
                board.IsDrained(m.Region),
                m.Override switch { MemberOverride.ForceUp => "up", MemberOverride.ForceDown => "down", _ => "auto" },
                Vote.StatusText(m.Local),
                m.LocalSince == default ? null : m.LocalSince,
                m.LocalReason,
                Vote.StatusText(m.Shared),
                m.SharedSince == default ? null : m.SharedSince,
                view.VotesFor(m).Select(v => new VoteEntry(v.Instance, Vote.StatusText(v.Status), v.At)).ToList(),
                m.Probes.Samples().Select(p => new ProbeEntry(p.At, p.LatencyMs, p.Success)).ToList(),
                m.Probes.LastError,
                m.Probes.LastErrorAt)).ToList())).ToList());
    }
}
