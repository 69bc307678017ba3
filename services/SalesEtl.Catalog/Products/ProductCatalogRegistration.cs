using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace SalesEtl.Catalog.Products;

public static class ProductCatalogRegistration
{
    public static IServiceCollection AddProductCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CatalogOptions>()
            .Bind(configuration.GetSection(CatalogOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => ProductCatalog.Load(sp.GetRequiredService<IOptions<CatalogOptions>>().Value.ProductsFile));
        services.AddHostedService<ProductCatalogLoader>();
        services.AddHealthChecks().AddCheck<ProductCatalogHealthCheck>("products-file");
        return services;
    }
}

/// <summary>Loads the file at start, so that a missing or broken file stops the process with a clear error instead of failing the first request.</summary>
sealed class ProductCatalogLoader(IServiceProvider services, ILogger<ProductCatalogLoader> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var catalog = services.GetRequiredService<ProductCatalog>();
        logger.LogInformation("Serving {ItemCount} product items from {ProductsFile}", catalog.Count, catalog.Path);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

sealed class ProductCatalogHealthCheck(ProductCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy($"{catalog.Count} items from {catalog.Path}"));
}
