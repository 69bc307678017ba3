using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SalesEtl.MetricsLoader.Retention;

public static class RetentionRegistration
{
    /// <summary>The sweeper that releases finished runs' intermediate rows (PostgreSQL; embedded mode keeps its SQLite file whole).</summary>
    public static IServiceCollection AddIntermediateRowsRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IntermediateRowsSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<IntermediateRowsSweeper>());
        return services;
    }
}
