using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace SalesEtl.Catalog;

public static class CatalogHosting
{
    /// <summary><c>/health/live</c>: the process answers; <c>/health/ready</c>: the products file is loaded.</summary>
    public static WebApplication MapCatalogHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready");
        return app;
    }
}
