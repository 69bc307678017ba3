using Microsoft.Extensions.Options;
using SalesEtl.Data.Facts;
using SalesEtl.Data.Products;
using SalesEtl.Data.Runs;
using SalesEtl.Data.Staging;
using SalesEtl.Pipeline.Sales;
using SalesEtl.Transformer.Consumers;

namespace SalesEtl.Transformer;

public static class TransformerRegistration
{
    public static IServiceCollection AddTransformer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TransformerOptions>().Bind(configuration.GetSection(TransformerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        TransformerMetrics.Initialize();
        services.AddSingleton<StagedSalesWriter>();
        services.AddSingleton<TransformedChunkWriter>();
        services.AddSingleton<SnapshotPrices>();
        services.AddSingleton<IStagedSalesStore>(sp => sp.GetRequiredService<StagedSalesWriter>());
        services.AddSingleton<ITransformedChunkStore>(sp => sp.GetRequiredService<TransformedChunkWriter>());
        services.AddSingleton<ISnapshotPriceSource>(sp => sp.GetRequiredService<SnapshotPrices>());
        services.AddSingleton<IRunStateReader, PostgresRunStateReader>();
        services.AddSingleton<SnapshotPriceCache>();
        services.AddSingleton(sp => new SaleNormalizer(new SaleNormalizerOptions
        {
            PriceOutlierThreshold = sp.GetRequiredService<IOptions<TransformerOptions>>().Value.PriceOutlierThreshold,
        }));
        return services;
    }
}
