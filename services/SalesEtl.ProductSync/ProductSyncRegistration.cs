using SalesEtl.ProductSync.Catalog;
using SalesEtl.ProductSync.Snapshots;

namespace SalesEtl.ProductSync;

public static class ProductSyncRegistration
{
    /// <summary>This service's own registrations; the database (<c>AddEtlDatabase</c>) and the bus come from ServiceDefaults.</summary>
    public static IServiceCollection AddProductSync(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProductSyncOptions>()
            .Bind(configuration.GetSection(ProductSyncOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => ProductSyncOptions.ParseBaseUrl(o.DefaultProductsUrl) is not null, "ProductSync:DefaultProductsUrl must be an absolute http(s) URL.")
            .Validate(o => o.TotalTimeout >= o.AttemptTimeout, "ProductSync:TotalTimeout must not be shorter than ProductSync:AttemptTimeout.")
            .Validate(o => o.MaxRetryDelay >= o.RetryDelay, "ProductSync:MaxRetryDelay must not be shorter than ProductSync:RetryDelay.")
            .ValidateOnStart();
        ProductSyncMetrics.Initialize();
        services.AddProductCatalogClient();
        services.AddSingleton<ProductCatalogReader>();
        services.AddSingleton<ProductSnapshotStore>();
        services.AddSingleton<IProductSnapshotStore>(sp => sp.GetRequiredService<ProductSnapshotStore>());
        services.AddSingleton(TimeProvider.System);
        return services;
    }
}
