using GeoDns.Core.Health;
using GeoDns.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GeoDns.Admin;

/// <summary>Runs the admin API (Kestrel, minimal API) inside the generic host.</summary>
public sealed class AdminService : IHostedService, IAsyncDisposable
{
    private readonly AdminOptions _options;
    private readonly HealthBoard _board;
    private readonly IOverrideStore _overrides;
    private readonly ISharedStateView _view;
    private readonly IEnumerable<IReadinessCheck> _readiness;
    private readonly IEnumerable<IAdminRoutes> _routes;
    private readonly ILogger _logger;
    private readonly IServedZones? _zones;
    private WebApplication? _app;
    private StatusFeed? _feed;

    /// <param name="zones">The served zones, for live explain and reload (none in a host that serves no zones).</param>
    /// <param name="routes">More token-free GET routes (the metrics endpoint), mapped beside <c>/healthz</c>.</param>
    public AdminService(AdminOptions options, HealthBoard board, IOverrideStore overrides, ISharedStateView view,
        IEnumerable<IReadinessCheck> readiness, ILogger<AdminService> logger, IServedZones? zones = null, IEnumerable<IAdminRoutes>? routes = null)
    {
        _zones = zones;
        _routes = routes ?? [];
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
        AdminApi.Map(app, _board, _overrides, _view, _options.Token, _readiness, _logger);
        AdminApi.MapZones(app, _zones, _board, _view, _options.Token, _logger);
        _feed = new StatusFeed(_board, _overrides, _view, _zones, TimeProvider.System, TimeSpan.FromMilliseconds(250), _logger);
        _feed.Start();
        StatusPage.Map(app, _feed);
        foreach (var routes in _routes)
        {
            routes.Map(app);
        }

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
            http.DefaultRequestHeaders.Add(AdminApi.WarmUpHeader, "1");
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

        if (_feed is { } feed)
        {
            _feed = null;
            await feed.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }

        if (_feed is { } feed)
        {
            _feed = null;
            await feed.DisposeAsync().ConfigureAwait(false);
        }
    }
}
