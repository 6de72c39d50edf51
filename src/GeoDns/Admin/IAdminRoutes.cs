using Microsoft.AspNetCore.Routing;

namespace GeoDns.Admin;

/// <summary>
/// More GET routes for the admin listener, registered by the layer that owns them (the metrics
/// scrape endpoint, say). They are mapped beside <c>/healthz</c> and, like it, need no token.
/// </summary>
public interface IAdminRoutes
{
    void Map(IEndpointRouteBuilder app);
}
