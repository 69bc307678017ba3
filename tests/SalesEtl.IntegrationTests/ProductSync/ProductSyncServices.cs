using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SalesEtl.Data;
using SalesEtl.ProductSync;
using SalesEtl.ProductSync.Consumers;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>The product-sync registrations of the service, with test-sized pages, delays and timeouts.</summary>
public static class ProductSyncServices
{
    public static Dictionary<string, string?> TestSettings() => new()
    {
        ["ProductSync:PageSize"] = "5",
        ["ProductSync:MaxAttempts"] = "4",
        ["ProductSync:MaxPageReads"] = "3",
        ["ProductSync:RetryDelay"] = "00:00:00.050",
        ["ProductSync:MaxRetryDelay"] = "00:00:00.400",
        ["ProductSync:AttemptTimeout"] = "00:00:05",
        ["ProductSync:TotalTimeout"] = "00:00:30",
    };

    public static ServiceProvider Build(TestDatabase? database = null, Action<Dictionary<string, string?>>? settings = null, bool withBus = false)
    {
        var values = TestSettings();
        settings?.Invoke(values);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        if (database is not null)
            services.AddEtlDatabase(database.ConnectionString);
        services.AddProductSync(configuration);
        if (withBus)
        {
            services.AddMassTransitTestHarness(bus =>
            {
                bus.SetKebabCaseEndpointNameFormatter();
                bus.AddConsumer<SyncProductsConsumer, SyncProductsConsumerDefinition>();
            });
        }
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = database is not null, ValidateScopes = true });
    }
}
