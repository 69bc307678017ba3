using SalesEtl.Data.Runs;
using SalesEtl.Data.Staging;
using SalesEtl.ServiceDefaults;

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
        services.AddInputPathPolicy(configuration);
        IngestorMetrics.Initialize();
        return services;
    }
}
