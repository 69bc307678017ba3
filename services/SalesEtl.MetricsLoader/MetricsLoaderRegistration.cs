using SalesEtl.Pipeline.Quality;
using SalesEtl.Pipeline.Sales;
using SalesEtl.ServiceDefaults.Metrics;

namespace SalesEtl.MetricsLoader;

public static class MetricsLoaderRegistration
{
    public static IServiceCollection AddMetricsLoader(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<QualityOptions>().Bind(configuration.GetSection(QualityOptions.Section))
            .Validate(o => o.MaxRejectRate is >= 0 and <= 1 && o.MaxUnknownProductRate is >= 0 and <= 1, "Quality rates must be between 0 and 1.")
            .ValidateOnStart();
        services.AddSingleton<RunFinalizer>();
        services.AddSingleton<IRunFinalizer>(sp => sp.GetRequiredService<RunFinalizer>());
        MetricsLoaderMetrics.Initialize();
        SharedMetrics.Initialize(SharedMetrics.RejectedRows, [RejectReasons.DuplicateConflict]);
        return services;
    }
}
