using System.Collections.Concurrent;
using MassTransit;
using SalesEtl.Contracts;
using SalesEtl.ServiceDefaults;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>
/// The published shape of the service: product-sync and the catalog as real processes, a RabbitMQ
/// virtual host and a PostgreSQL database of their own (left unmigrated: the service migrates it).
/// </summary>
public sealed class ProductSyncServiceFixture : IAsyncLifetime
{
    public const int ItemCount = 12;

    readonly CatalogFile files = new();
    readonly ConcurrentDictionary<Guid, TaskCompletionSource<IRunMessage>> outcomes = new();
    TestDatabase database = null!;
    TestVirtualHost virtualHost = null!;
    IBusControl bus = null!;

    public CatalogProcess Catalog { get; private set; } = null!;

    public ServiceProcess Service { get; private set; } = null!;

    public TestDatabase Database => database;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("product_sync_service", migrate: false);
        virtualHost = await TestVirtualHost.CreateAsync("product-sync");
        Catalog = await CatalogProcess.StartAsync(files.Write("products.json", CatalogFile.Items(ItemCount)));

        var environment = new Dictionary<string, string>(virtualHost.EnvironmentVariables)
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["ProductSync__DefaultProductsUrl"] = Catalog.BaseUrl.ToString(),
            ["ProductSync__MaxAttempts"] = "3",
            ["ProductSync__RetryDelay"] = "00:00:00.050",
            ["ProductSync__MaxRetryDelay"] = "00:00:00.400",
        };
        Service = await ServiceProcess.StartReadyAsync("product-sync", Path.Combine(AppContext.BaseDirectory, "SalesEtl.ProductSync.dll"), environment,
            TimeSpan.FromSeconds(60), workingDirectory: files.Folder);

        bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.ConfigureEtlRabbitMq(virtualHost.Options);
            cfg.ReceiveEndpoint("product-sync-test-outcomes", endpoint =>
            {
                endpoint.Handler<ProductsSynced>(context => Complete(context.Message));
                endpoint.Handler<ProductSyncFailed>(context => Complete(context.Message));
                endpoint.Handler<Fault<SyncProducts>>(context =>
                {
                    var reasons = string.Join("; ", context.Message.Exceptions.Select(e => $"{e.ExceptionType}: {e.Message}"));
                    Outcome(context.Message.Message.RunId).TrySetException(new InvalidOperationException($"SyncProducts faulted: {reasons}"));
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync();
    }

    Task Complete(IRunMessage message)
    {
        Outcome(message.RunId).TrySetResult(message);
        return Task.CompletedTask;
    }

    TaskCompletionSource<IRunMessage> Outcome(Guid runId) =>
        outcomes.GetOrAdd(runId, _ => new TaskCompletionSource<IRunMessage>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Sends <c>SyncProducts</c> over RabbitMQ and waits for the service's answer.</summary>
    public async Task<IRunMessage> SyncAsync(Guid runId, string? productsUrl)
    {
        var outcome = Outcome(runId).Task;
        await bus.Publish(new SyncProducts(runId, productsUrl));
        try
        {
            return await outcome.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No outcome for run {runId}. Service output:\n{Service.Log}");
        }
    }

    public async Task DisposeAsync()
    {
        await bus.StopAsync();
        await Service.DisposeAsync();
        await Catalog.DisposeAsync();
        await virtualHost.DisposeAsync();
        await database.DisposeAsync();
        files.Dispose();
    }
}

public sealed class Running_the_product_sync_service(ProductSyncServiceFixture fixture) : IClassFixture<ProductSyncServiceFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => fixture.Catalog.ClearFaultsAsync();

    public Task DisposeAsync() => fixture.Catalog.ClearFaultsAsync();

    [Fact]
    public async Task Should_answer_SyncProducts_with_ProductsSynced_over_RabbitMQ()
    {
        var runId = Guid.NewGuid();

        var outcome = await fixture.SyncAsync(runId, productsUrl: null);

        var synced = Assert.IsType<ProductsSynced>(outcome);
        Assert.Equal(ProductSyncServiceFixture.ItemCount, synced.ProductCount);
        Assert.Equal(synced.SnapshotId, await fixture.Database.ScalarAsync<long>($"SELECT snapshot_id FROM product_snapshots WHERE run_id = '{runId}'"));
        Assert.Contains("etl_products_synced_total{result=\"accepted\"}", await fixture.Service.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
    }

    [Fact]
    public async Task Should_answer_ProductSyncFailed_when_the_api_keeps_failing_and_count_the_attempts()
    {
        await fixture.Catalog.SetFaultsAsync(new { failureRate = 1.0, statusCode = 503 });
        var runId = Guid.NewGuid();

        var outcome = await fixture.SyncAsync(runId, fixture.Catalog.BaseUrl.ToString());

        var failed = Assert.IsType<ProductSyncFailed>(outcome);
        Assert.Contains("HTTP 503", failed.Reason);
        Assert.Contains("after 3 attempts", failed.Reason);
        var metrics = await fixture.Service.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("etl_product_api_requests_total{outcome=\"server_error\"}", metrics);
        Assert.Contains("etl_product_api_request_duration_seconds_count", metrics);
        Assert.Contains("etl_product_sync_retries_total", metrics);
    }
}
