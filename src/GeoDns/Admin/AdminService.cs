using System.Net;
using GeoDns.Core.Health;
using GeoDns.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GeoDns.Admin;

/// <summary>Where the admin API listens and with which token.</summary>
public sealed record AdminOptions(IPEndPoint EndPoint, AdminToken Token)
{
    /// <summary>Parses <c>ADDR:PORT</c>, <c>[V6]:PORT</c>, <c>localhost:PORT</c> or <c>*:PORT</c>.</summary>
    public static IPEndPoint ParseEndPoint(string text)
    {
        text = text.Trim();
        int colon = text.LastIndexOf(':');
        if (colon > 0 && ushort.TryParse(text.AsSpan(colon + 1), out ushort port))
        {
            string host = text[..colon];
            if (host is "*" or "+")
            {
                return new IPEndPoint(IPAddress.IPv6Any, port);
            }

            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                return new IPEndPoint(IPAddress.Loopback, port);
            }
        }

        if (IPEndPoint.TryParse(text, out var endPoint) && text.Contains(':', StringComparison.Ordinal))
        {
            return endPoint;
        }

        throw new FormatException($"--admin '{text}' is not ADDR:PORT (for example 127.0.0.1:8053 or [::1]:8053)");
    }
}

/// <summary>Runs the admin API (Kestrel, minimal API) inside the generic host.</summary>
public sealed class AdminService : IHostedService, IAsyncDisposable
{
    private readonly AdminOptions _options;
    private readonly HealthBoard _board;
    private readonly IOverrideStore _overrides;
    private readonly ISharedStateView _view;
    private readonly IEnumerable<IReadinessCheck> _readiness;
    private readonly ILogger _logger;
    private WebApplication? _app;

    public AdminService(AdminOptions options, HealthBoard board, IOverrideStore overrides, ISharedStateView view,
        IEnumerable<IReadinessCheck> readiness, ILogger<AdminService> logger)
    {
        _options = options;
        _board = board;
        _overrides = overrides;
        _view = view;
        _readiness = readiness;
        _logger = logger;
    }

    /// <summary>The bound address, e.g. <c>http://127.0.0.1:8053</c> (known after start; port 0 gets a free one).</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(_options.EndPoint);
            k.Limits.MaxRequestBodySize = AdminApi.MaxBodyBytes;
        });
        var app = builder.Build();
        AdminApi.LimitBodies(app);
        AdminApi.Map(app, _board, _overrides, _view, _options.Token, _readiness);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Address = address is null ? null : new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal));
        _logger.LogInformation("Admin API listening on {Address}; changes {Auth}", address,
            _options.Token.Configured ? "need the bearer token" : "are disabled (no --admin-token-file)");
        _ = WarmUpAsync();
    }

    /// <summary>Runs each kind of request once (a refused POST included) so the first operator call is not slowed by JIT.</summary>
    private async Task WarmUpAsync()
    {
        if (Address is null)
        {
            return;
        }

        try
        {
            using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
            using var get = await http.GetAsync(new Uri("/api/v1/pools", UriKind.Relative)).ConfigureAwait(false);
            using var post = await http.PostAsync(new Uri("/api/v1/regions/-warm-up-/drain", UriKind.Relative), null).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            _logger.LogDebug(e, "Admin API warm-up failed");
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
