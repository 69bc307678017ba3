using SalesEtl.Data.Staging;

namespace SalesEtl.Ingestor;

public static class IngestorRegistration
{
    public static IServiceCollection AddIngestor(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestorOptions>().Bind(configuration.GetSection(IngestorOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StagedSalesWriter>();
        IngestorMetrics.Initialize();
        return services;
    }
}
