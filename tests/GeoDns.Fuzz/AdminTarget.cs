using System.Text;
using System.Text.Json;
using GeoDns.Admin;
using GeoDns.Core.Health;
using GeoDns.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace GeoDns.Fuzz;

/// <summary>
/// The admin API's request bodies. The only route that reads one is
/// <c>POST /api/v1/pools/{pool}/members/{member}/state</c>: the input is that body (at most
/// <see cref="AdminApi.MaxBodyBytes"/>, as the body cap lets through). It goes to
/// <see cref="AdminApi.ReadState"/> directly, then through the real endpoint (the request
/// delegate <see cref="AdminApi.Map"/> registers, called without a socket) with a valid token:
/// the reply must be 200/202 for up, down or auto and 400 otherwise, always a JSON object.
/// </summary>
public static class AdminTarget
{
    private const string Pool = "www.gtm.fuzz.test.";
    private const string Member = "192.0.2.10";
    private const string Secret = "fuzz-token";

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > AdminApi.MaxBodyBytes)
        {
            return; // refused with 413 before anything reads it
        }

        string body = Encoding.UTF8.GetString(input);
        string? state = AdminApi.ReadState(body);
        if (body.Trim().Length > 0 && state is null)
        {
            throw Invariant.Fail("a non-blank body read as no state at all");
        }

        string? wanted = state?.Trim().ToLowerInvariant();
        bool valid = wanted is "up" or "down" or "auto";
        AdminApi.Quote(state);

        var (status, json) = Endpoint.Post(input.ToArray());
        int[] expected = valid ? [StatusCodes.Status200OK, StatusCodes.Status202Accepted] : [StatusCodes.Status400BadRequest];
        if (!expected.Contains(status))
        {
            throw Invariant.Fail($"member-state body read as '{AdminApi.Quote(state)}' answered {status}");
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !(doc.RootElement.TryGetProperty("ok", out _) || doc.RootElement.TryGetProperty("error", out _)))
            {
                throw Invariant.Fail($"admin reply is not an ok/error object: {json}");
            }
        }
        catch (JsonException e)
        {
            throw new FuzzInvariantException($"admin reply is not JSON: {e.Message}", e);
        }
    }

    /// <summary>The member-state endpoint of a built, never started, admin application.</summary>
    private static class Endpoint
    {
        private static readonly WebApplication App;
        private static readonly RequestDelegate MemberState;

        static Endpoint()
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
            builder.Logging.ClearProviders();
            App = builder.Build();
            var board = new HealthBoard();
            board.Member(new MemberKey(Pool, Member), "us-east");
            board.Pool(Pool);
            var overrides = new InMemoryOverrideStore(board);
            var view = new LocalHealthStore("fuzz", overrides, TimeProvider.System);
            AdminApi.Map(App, board, overrides, view, AdminToken.FromSecret(Secret), []);
            MemberState = ((IEndpointRouteBuilder)App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
                .Single(e => e.RoutePattern.RawText == "/api/v1/pools/{pool}/members/{member}/state" && e.RequestDelegate is not null)
                .RequestDelegate!;
        }

        public static (int Status, string Json) Post(byte[] body)
        {
            var http = new DefaultHttpContext { RequestServices = App.Services };
            http.Request.Method = HttpMethods.Post;
            http.Request.Path = $"/api/v1/pools/{Pool}/members/{Member}/state";
            http.Request.RouteValues["pool"] = Pool;
            http.Request.RouteValues["member"] = Member;
            http.Request.Headers.Authorization = "Bearer " + Secret;
            http.Request.Body = new MemoryStream(body, writable: false);
            http.Request.ContentLength = body.Length;
            var response = new MemoryStream();
            http.Response.Body = response;
            MemberState(http).GetAwaiter().GetResult();
            return (http.Response.StatusCode, Encoding.UTF8.GetString(response.ToArray()));
        }
    }
}
