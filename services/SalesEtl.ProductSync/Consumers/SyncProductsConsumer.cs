using MassTransit;
using Microsoft.Extensions.Options;
using SalesEtl.Contracts;
using SalesEtl.ProductSync.Catalog;
using SalesEtl.ProductSync.Snapshots;
using SalesEtl.ServiceDefaults;

namespace SalesEtl.ProductSync.Consumers;

/// <summary>
/// Takes the product snapshot of a run: read the API, normalize, store a version. An API that
/// stays unreachable after retries is an outcome (<see cref="ProductSyncFailed"/>), not an exception;
/// a redelivered command re-announces the run's snapshot instead of taking another.
/// </summary>
public sealed class SyncProductsConsumer(
    ProductCatalogReader reader,
    IProductSnapshotStore store,
    IOptions<ProductSyncOptions> options,
    ILogger<SyncProductsConsumer> logger) : IConsumer<SyncProducts>
{
    public async Task Consume(ConsumeContext<SyncProducts> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;

        if (await store.FindByRunAsync(message.RunId, cancellationToken) is { } existing)
        {
            logger.LogInformation("Run already has product snapshot {SnapshotId}; announcing it again", existing.SnapshotId);
            await PublishSyncedAsync(context, existing);
            return;
        }

        var url = message.ProductsUrl ?? options.Value.DefaultProductsUrl;
        if (ProductSyncOptions.ParseBaseUrl(url) is not { } baseUrl)
        {
            await FailAsync(context, $"Products URL '{url}' is not an absolute http(s) URL.");
            return;
        }

        var batch = new ProductSyncBatch();
        var read = await reader.ReadAllAsync(baseUrl, batch.Add, cancellationToken);
        if (!read.Succeeded)
        {
            await FailAsync(context, read.FailureReason!);
            return;
        }

        var snapshot = await store.SaveAsync(message.RunId, baseUrl.ToString(), batch, cancellationToken);
        if (snapshot.Created)
        {
            ProductSyncMetrics.ProductsSynced.WithLabels(ProductSyncMetrics.Result.Accepted).Inc(snapshot.ProductCount);
            ProductSyncMetrics.ProductsSynced.WithLabels(ProductSyncMetrics.Result.Rejected).Inc(snapshot.RejectedCount);
            ProductSyncMetrics.ProductsSynced.WithLabels(ProductSyncMetrics.Result.Duplicate).Inc(snapshot.DuplicateCount);
            logger.LogInformation(
                "Stored product snapshot {SnapshotId}: {ProductCount} products ({Added} added, {Changed} changed, {Deactivated} deactivated), {RejectedCount} rejected, {DuplicateCount} duplicates",
                snapshot.SnapshotId, snapshot.ProductCount, snapshot.Added, snapshot.Changed, snapshot.Deactivated, snapshot.RejectedCount, snapshot.DuplicateCount);
        }
        await PublishSyncedAsync(context, snapshot);
    }

    static Task PublishSyncedAsync(ConsumeContext<SyncProducts> context, StoredSnapshot snapshot) =>
        context.Publish(new ProductsSynced(context.Message.RunId, snapshot.SnapshotId, snapshot.ProductCount, snapshot.RejectedCount), context.CancellationToken);

    async Task FailAsync(ConsumeContext<SyncProducts> context, string reason)
    {
        logger.LogWarning("Product sync failed: {Reason}", reason);
        await context.Publish(new ProductSyncFailed(context.Message.RunId, reason), context.CancellationToken);
    }
}

/// <summary>Two syncs at a time at most; the snapshot store serializes their writes anyway.</summary>
public sealed class SyncProductsConsumerDefinition : EtlConsumerDefinition<SyncProductsConsumer>
{
    public SyncProductsConsumerDefinition()
        : base(concurrentMessageLimit: 2)
    {
    }
}
