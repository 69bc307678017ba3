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
        services.AddOptions<MetricsLoaderOptions>().Bind(configuration.GetSection(MetricsLoaderOptions.Section))
            .Validate(o => o.FactReaders is >= 1 and <= 16, "MetricsLoader:FactReaders must be between 1 and 16.")
            .Validate(o => o.CustomerWriters is >= 1 and <= 16, "MetricsLoader:CustomerWriters must be between 1 and 16.")
            .Validate(o => o.FactsPerCustomerPart >= 1024, "MetricsLoader:FactsPerCustomerPart must be at least 1024.")
            .Validate(o => Directory.Exists(o.ResolvedSpillDirectory), "MetricsLoader:SpillDirectory must be an existing folder.")
            .ValidateOnStart();
        services.AddSingleton(sp => new RunFinalizer(
            sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsLoaderOptions>>().Value));
        services.AddSingleton<IRunFinalizer>(sp => sp.GetRequiredService<RunFinalizer>());
        MetricsLoaderMetrics.Initialize();
        SharedMetrics.Initialize(SharedMetrics.RejectedRows, [RejectReasons.DuplicateConflict]);
        return services;
    }
}
