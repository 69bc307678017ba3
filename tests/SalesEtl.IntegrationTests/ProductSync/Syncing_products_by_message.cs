using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using SalesEtl.Contracts;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>A catalog of 12 items (3 pages of 5) and a database, shared by the class; every test has runs of its own.</summary>
public sealed class CatalogAndDatabase : IAsyncLifetime
{
    public const int ItemCount = 12;

    readonly CatalogFile files = new();

    public CatalogProcess Catalog { get; private set; } = null!;

    public TestDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("product_sync");
        Catalog = await CatalogProcess.StartAsync(files.Write("products.json", CatalogFile.Items(ItemCount)));
    }

    public async Task DisposeAsync()
    {
        await Catalog.DisposeAsync();
        await Database.DisposeAsync();
        files.Dispose();
    }
}

/// <summary>The <c>SyncProducts</c> consumer on MassTransit's test harness, with the real catalog process and PostgreSQL.</summary>
public sealed class Syncing_products_by_message(CatalogAndDatabase fixture) : IClassFixture<CatalogAndDatabase>, IAsyncLifetime
{
    readonly CatalogProcess catalog = fixture.Catalog;
    readonly TestDatabase database = fixture.Database;

    public Task InitializeAsync() => catalog.ClearFaultsAsync();

    public Task DisposeAsync() => catalog.ClearFaultsAsync();

    [Fact]
    public async Task Should_publish_ProductsSynced_for_the_stored_snapshot()
    {
        await using var bus = await StartAsync();
        var runId = Guid.NewGuid();

        await bus.Harness.Bus.Publish(new SyncProducts(runId, catalog.BaseUrl.ToString()));

        var synced = await bus.PublishedAsync<ProductsSynced>(runId);
        Assert.Equal(CatalogAndDatabase.ItemCount, synced.ProductCount);
        Assert.Equal(0, synced.RejectedCount);
        Assert.Equal(
            $"{synced.SnapshotId}|{CatalogAndDatabase.ItemCount}|{CatalogAndDatabase.ItemCount}|{catalog.BaseUrl}",
            await database.ScalarAsync<string>($"SELECT concat_ws('|', snapshot_id, items_read, product_count, source_url) FROM product_snapshots WHERE run_id = '{runId}'"));
        Assert.Equal((long)CatalogAndDatabase.ItemCount, await database.ScalarAsync<long>(
            $"SELECT count(*) FROM product_versions WHERE valid_from_snapshot <= {synced.SnapshotId} AND (valid_to_snapshot IS NULL OR valid_to_snapshot > {synced.SnapshotId})"));
    }

    [Fact]
    public async Task Should_read_the_configured_products_url_when_the_command_names_none()
    {
        await using var bus = await StartAsync(s => s["ProductSync:DefaultProductsUrl"] = catalog.BaseUrl.ToString());
        var runId = Guid.NewGuid();

        await bus.Harness.Bus.Publish(new SyncProducts(runId, null));

        Assert.Equal(CatalogAndDatabase.ItemCount, (await bus.PublishedAsync<ProductsSynced>(runId)).ProductCount);
    }

    [Fact]
    public async Task Should_sync_through_server_errors_and_a_truncated_page()
    {
        await using var bus = await StartAsync();
        await catalog.SetFaultsAsync(new { failNext = 2, statusCode = 500, truncateNext = 1 });
        var runId = Guid.NewGuid();

        await bus.Harness.Bus.Publish(new SyncProducts(runId, catalog.BaseUrl.ToString()));

        Assert.Equal(CatalogAndDatabase.ItemCount, (await bus.PublishedAsync<ProductsSynced>(runId)).ProductCount);
    }

    [Fact]
    public async Task Should_announce_the_same_snapshot_again_for_a_redelivered_command()
    {
        await using var bus = await StartAsync();
        var runId = Guid.NewGuid();
        var command = new SyncProducts(runId, catalog.BaseUrl.ToString());

        await bus.Harness.Bus.Publish(command);
        var first = await bus.PublishedAsync<ProductsSynced>(runId);
        await bus.Harness.Bus.Publish(command);
        var announcements = new List<IPublishedMessage<ProductsSynced>>();
        await foreach (var announcement in bus.Harness.Published.SelectAsync<ProductsSynced>(m => m.Context.Message.RunId == runId))
        {
            announcements.Add(announcement);
            if (announcements.Count == 2)
                break;
        }

        Assert.Equal(2, announcements.Count);
        Assert.All(announcements, a => Assert.Equal(first, a.Context.Message));
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM product_snapshots WHERE run_id = '{runId}'"));
    }

    [Fact]
    public async Task Should_publish_ProductSyncFailed_with_a_reason_when_retries_are_spent()
    {
        await using var bus = await StartAsync();
        await catalog.SetFaultsAsync(new { failureRate = 1.0, statusCode = 503 });
        var runId = Guid.NewGuid();

        await bus.Harness.Bus.Publish(new SyncProducts(runId, catalog.BaseUrl.ToString()));

        var failed = await bus.PublishedAsync<ProductSyncFailed>(runId);
        Assert.Contains("HTTP 503", failed.Reason);
        Assert.Contains("after 4 attempts", failed.Reason);
        Assert.False(await bus.Harness.Published.Any<ProductsSynced>(m => m.Context.Message.RunId == runId));
        Assert.False(await bus.Harness.Published.Any<Fault<SyncProducts>>());
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM product_snapshots WHERE run_id = '{runId}'"));
    }

    [Fact]
    public async Task Should_publish_ProductSyncFailed_for_a_products_url_that_is_not_http()
    {
        await using var bus = await StartAsync();
        var runId = Guid.NewGuid();

        await bus.Harness.Bus.Publish(new SyncProducts(runId, "ftp://catalog.example/products"));

        Assert.Contains("not an absolute http(s) URL", (await bus.PublishedAsync<ProductSyncFailed>(runId)).Reason);
    }

    async Task<HarnessScope> StartAsync(Action<Dictionary<string, string?>>? settings = null)
    {
        var services = ProductSyncServices.Build(database, settings, withBus: true);
        var harness = services.GetRequiredService<ITestHarness>();
        harness.TestTimeout = TimeSpan.FromSeconds(60);
        await harness.Start();
        return new HarnessScope(services, harness);
    }

    sealed class HarnessScope(ServiceProvider services, ITestHarness harness) : IAsyncDisposable
    {
        public ITestHarness Harness => harness;

        public async Task<T> PublishedAsync<T>(Guid runId)
            where T : class, IRunMessage
        {
            var published = await harness.Published.SelectAsync<T>(m => m.Context.Message.RunId == runId).FirstOrDefault();
            if (published is null)
            {
                var faults = harness.Published.Select<Fault<SyncProducts>>()
                    .SelectMany(f => f.Context.Message.Exceptions)
                    .Select(e => $"{e.ExceptionType}: {e.Message}");
                Assert.Fail($"no {typeof(T).Name} for run {runId} within {harness.TestTimeout}; faults: {string.Join("; ", faults)}");
            }
            return published.Context.Message;
        }

        public async ValueTask DisposeAsync()
        {
            await harness.Stop();
            await services.DisposeAsync();
        }
    }
}
