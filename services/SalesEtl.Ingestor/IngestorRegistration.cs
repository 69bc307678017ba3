using SalesEtl.Data.Runs;
using SalesEtl.Data.Staging;

namespace SalesEtl.Ingestor;

public static class IngestorRegistration
{
    public static IServiceCollection AddIngestor(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestorOptions>().Bind(configuration.GetSection(IngestorOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StagedSalesWriter>();
        services.AddSingleton<IStagedSalesStore>(sp => sp.GetRequiredService<StagedSalesWriter>());
        services.AddSingleton<IRunStateReader, PostgresRunStateReader>();
        services.AddSingleton<SalesEtl.Pipeline.Sales.FirstOccurrenceFilters>();
        IngestorMetrics.Initialize();
        return services;
    }
}
