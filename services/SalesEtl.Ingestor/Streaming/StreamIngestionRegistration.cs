using SalesEtl.Data.Streaming;
using SalesEtl.Ingestor.Inbox;

namespace SalesEtl.Ingestor.Streaming;

public static class StreamIngestionRegistration
{
    /// <summary>The stream windows (batch consumer of sale events and the window closer) and the inbox watcher.</summary>
    public static IServiceCollection AddStreamIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StreamOptions>().Bind(configuration.GetSection(StreamOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InboxOptions>().Bind(configuration.GetSection(InboxOptions.Section)).ValidateDataAnnotations()
            .Validate(o => string.IsNullOrWhiteSpace(o.Folder) || Path.IsPathFullyQualified(o.Folder), "Inbox:Folder must be an absolute path.")
            .ValidateOnStart();
        services.AddSingleton<StreamEventBuffer>();
        services.AddSingleton<StreamWindowCloser>();
        services.AddSingleton<InboxClaims>();
        services.AddHostedService<StreamWindowService>();
        services.AddHostedService<InboxWatcher>();
        StreamMetrics.Initialize();
        return services;
    }
}
