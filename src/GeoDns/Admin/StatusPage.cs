using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace GeoDns.Admin;

/// <summary>
/// The status page (<c>GET /</c>, its CSS and JS embedded in the assembly, no build step and
/// nothing loaded from elsewhere) and what it reads besides <c>/api/v1/pools</c>:
/// <c>GET /api/v1/events</c> (server-sent events: <c>transition</c>, <c>override</c>,
/// <c>reload</c>, <c>redis</c>; a comment every <see cref="Heartbeat"/>),
/// <c>GET /api/v1/transitions</c> (the last 200) and <c>GET /api/v1/zones</c> (served zones and serials).
/// </summary>
public static class StatusPage
{
    /// <summary>How often an idle event stream gets a comment line.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    private static readonly (string Path, string Resource, string ContentType)[] Assets =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/status.css", "status.css", "text/css; charset=utf-8"),
        ("/status.js", "status.js", "text/javascript; charset=utf-8"),
    ];

    public static void Map(IEndpointRouteBuilder app, StatusFeed feed)
    {
        foreach (var (path, resource, contentType) in Assets)
        {
            byte[] body = Read(resource);
            app.MapGet(path, (HttpContext http) =>
            {
                http.Response.Headers.CacheControl = "no-cache";
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers.ContentSecurityPolicy =
                    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
                return Results.Bytes(body, contentType);
            });
        }

        app.MapGet("/api/v1/transitions", () => Results.Json(new TransitionsBody(StatusFeed.TransitionCapacity, feed.Transitions), AdminJson.Http.TransitionsBody));
        app.MapGet("/api/v1/zones", () => Results.Json(new ZonesBody(feed.Zones), AdminJson.Http.ZonesBody));
        app.MapGet("/api/v1/events", (HttpContext http) => StreamAsync(http, feed));
    }

    private static async Task StreamAsync(HttpContext http, StatusFeed feed)
    {
        var channel = feed.Subscribe();
        if (channel is null)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await http.Response.WriteAsJsonAsync(new ErrorBody($"too many event streams open (at most {StatusFeed.MaxSubscribers})"), AdminJson.Http.ErrorBody).ConfigureAwait(false);
            return;
        }

        var ct = http.RequestAborted;
        try
        {
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await WriteAsync(http, ": geodns events\nretry: 2000\n\n", ct).ConfigureAwait(false);
            var reader = channel.Reader;
            Task<bool>? ready = null;
            while (!ct.IsCancellationRequested)
            {
                ready ??= reader.WaitToReadAsync(ct).AsTask();
                if (await Task.WhenAny(ready, Task.Delay(Heartbeat, ct)).ConfigureAwait(false) != ready)
                {
                    await WriteAsync(http, ": heartbeat\n\n", ct).ConfigureAwait(false);
                    continue;
                }

                if (!await ready.ConfigureAwait(false))
                {
                    return;
                }

                ready = null;
                var text = new StringBuilder();
                while (reader.TryRead(out var e))
                {
                    text.Append("event: ").Append(e.Kind).Append("\ndata: ").Append(e.Json).Append("\n\n");
                }

                await WriteAsync(http, text.ToString(), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            feed.Unsubscribe(channel);
        }
    }

    private static async Task WriteAsync(HttpContext http, string text, CancellationToken ct)
    {
        await http.Response.WriteAsync(text, ct).ConfigureAwait(false);
        await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("GeoDns.Admin.Page." + name)
            ?? throw new InvalidOperationException($"status page asset {name} is not embedded");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
