using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SalesEtl.Catalog.Products;
using SalesEtl.Cli.Embedded.Sqlite;
using SalesEtl.Contracts;
using SalesEtl.Data.Facts;
using SalesEtl.Data.Products;
using SalesEtl.Data.Runs;
using SalesEtl.Data.Staging;
using SalesEtl.Ingestor;
using SalesEtl.Ingestor.Consumers;
using SalesEtl.MetricsLoader;
using SalesEtl.MetricsLoader.Consumers;
using SalesEtl.Orchestrator;
using SalesEtl.Orchestrator.StateMachines;
using SalesEtl.ProductSync;
using SalesEtl.ProductSync.Catalog;
using SalesEtl.ProductSync.Consumers;
using SalesEtl.ProductSync.Snapshots;
using SalesEtl.ServiceDefaults;
using SalesEtl.Transformer;
using SalesEtl.Transformer.Consumers;

namespace SalesEtl.Cli.Embedded;

/// <summary>
/// The whole system in one process: the services' own registrations and consumers, the <c>BatchRun</c> saga on
/// MassTransit's in-memory transport (in-memory saga repository), the SQLite store behind the store interfaces and
/// the products file behind product-sync's HTTP client. Settings come from environment variables, as for the services.
/// </summary>
public static class EmbeddedHost
{
    public static IHost Build(SqliteEtlStore store, string productsFile)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = Environments.Production });
        builder.Configuration.AddEnvironmentVariables();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

        var configuration = builder.Configuration;
        var services = builder.Services;
        services.AddIngestor(configuration);
        // The caller's own files, read with the caller's own rights: no boundary for roots to guard (they apply when set).
        services.AddInputPathPolicy(configuration, rootsRequired: false);
        services.AddTransformer(configuration);
        services.AddProductSync(configuration);
        services.AddMetricsLoader(configuration);
        services.AddOrchestratorOptions(configuration);

        // The provider-specific part: SQLite instead of PostgreSQL, the products file instead of the catalog service.
        var catalog = ProductCatalog.Load(productsFile);
        services.AddHttpClient(ProductCatalogClients.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new FileCatalogHandler(catalog));
        services.AddSingleton(store);
        services.AddSingleton<IStagedSalesStore, SqliteStagedSalesStore>();
        services.AddSingleton<ITransformedChunkStore, SqliteTransformedChunkStore>();
        services.AddSingleton<ISnapshotPriceSource, SqliteSnapshotPrices>();
        services.AddSingleton<IProductSnapshotStore, SqliteProductSnapshotStore>();
        services.AddSingleton<IRunFinalizer, SqliteRunFinalizer>();
        services.AddSingleton<SagaRunStates>();
        services.AddSingleton<IRunStateReader>(sp => sp.GetRequiredService<SagaRunStates>());

        services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddSagaStateMachine<BatchRunStateMachine, BatchRunState, BatchRunStateMachineDefinition>().InMemoryRepository();
            bus.AddConsumer<IngestSalesConsumer, IngestSalesConsumerDefinition>();
            bus.AddConsumer<SyncProductsConsumer, SyncProductsConsumerDefinition>();
            bus.AddConsumer<TransformChunkConsumer, TransformChunkConsumerDefinition>();
            bus.AddConsumer<LoadMetricsConsumer, LoadMetricsConsumerDefinition>();
            bus.AddConsumer<PurgeRunResultsConsumer, PurgeRunResultsConsumerDefinition>();
            bus.UsingInMemory((context, cfg) =>
            {
                cfg.Publish<IRunMessage>(p => p.Exclude = true);
                cfg.Publish<IChunkMessage>(p => p.Exclude = true);
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder.Build();
    }
}
