using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SalesEtl.Pipeline.Products;
using SalesEtl.ProductSync.Snapshots;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.ProductSync;

/// <summary>
/// The snapshot store against a database of its own per test (each test is a product history).
/// Items go through the real <see cref="ProductNormalizer"/>; the expected values are the SPEC §2 rules applied by hand.
/// </summary>
public sealed class Storing_product_snapshots : IAsyncLifetime
{
    TestDatabase database = null!;
    ServiceProvider services = null!;
    ProductSnapshotStore store = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("snapshots");
        services = ProductSyncServices.Build(database);
        store = services.GetRequiredService<ProductSnapshotStore>();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task Should_store_normalized_products_and_keep_rejects_with_their_reason()
    {
        var snapshot = await SaveAsync(
            JsonNode.Parse("""{"product_id": "  p-1 ", "product_name": "  Cordless   Drill ", "category": "power TOOLS", "manufacturer": " Acme ", "base_price": "49.999", "stock_quantity": 5}""")!,
            JsonNode.Parse("""{"product_id": "P-2", "product_name": "Free Sample", "base_price": 0, "stock_quantity": "lots"}""")!,
            JsonNode.Parse("""{"product_name": "No id", "base_price": 1}""")!,
            JsonNode.Parse("""{"product_id": "P-3", "base_price": -5}""")!,
            JsonNode.Parse("""{"product_id": "P-4", "base_price": "cheap"}""")!);

        Assert.True(snapshot.Created);
        Assert.Equal((2, 3, 0, 2, 0, 0), (snapshot.ProductCount, snapshot.RejectedCount, snapshot.DuplicateCount, snapshot.Added, snapshot.Changed, snapshot.Deactivated));
        Assert.Equal("5|2|3|0|1", await RowAsync($"SELECT concat_ws('|', items_read, product_count, rejected_count, duplicate_count, invalid_stock_count) FROM product_snapshots WHERE snapshot_id = {snapshot.SnapshotId}"));

        Assert.Equal(
            [
                $"P-1|Cordless Drill|Power Tools|Acme|50.00|5|{snapshot.SnapshotId}",
                $"P-2|Free Sample|||0.00||{snapshot.SnapshotId}",
            ],
            await RowsAsync("SELECT concat_ws('|', product_id, product_name, coalesce(category, ''), coalesce(manufacturer, ''), base_price, coalesce(stock_quantity::text, ''), valid_from_snapshot) FROM product_versions ORDER BY product_id"));
        Assert.Equal(
            [
                $"3||{ProductRejectReasons.MissingProductId}",
                $"4|P-3|{ProductRejectReasons.NegativeBasePrice}",
                $"5|P-4|{ProductRejectReasons.InvalidBasePrice}",
            ],
            await RowsAsync($"SELECT concat_ws('|', item_no, coalesce(product_id, ''), reason) FROM product_rejects WHERE snapshot_id = {snapshot.SnapshotId} ORDER BY item_no"));
        Assert.Equal("-5", await RowAsync("SELECT (raw_json::jsonb ->> 'base_price') FROM product_rejects WHERE item_no = 4"));
    }

    [Fact]
    public async Task Should_keep_the_later_of_two_items_with_the_same_id()
    {
        var snapshot = await SaveAsync(CatalogFile.Item("P-1", 10m), CatalogFile.Item("P-2", 20m), CatalogFile.Item(" p-1", 12m));

        Assert.Equal((2, 1), (snapshot.ProductCount, snapshot.DuplicateCount));
        Assert.Equal(["P-1|12.00", "P-2|20.00"], await RowsAsync("SELECT product_id || '|' || base_price FROM product_versions ORDER BY product_id"));
        Assert.Equal("3|2|1", await RowAsync("SELECT concat_ws('|', items_read, product_count, duplicate_count) FROM product_snapshots"));
    }

    [Fact]
    public async Task Should_keep_history_when_a_price_changes_a_product_appears_and_one_disappears()
    {
        var first = await SaveAsync(CatalogFile.Item("A", 10m), CatalogFile.Item("B", 20m), CatalogFile.Item("C", 30m));
        var second = await SaveAsync(CatalogFile.Item("A", 10m), CatalogFile.Item("B", 25m), CatalogFile.Item("D", 40m));

        Assert.True(second.SnapshotId > first.SnapshotId);
        Assert.Equal((3, 0, 0), (first.Added, first.Changed, first.Deactivated));
        Assert.Equal((1, 1, 1), (second.Added, second.Changed, second.Deactivated));

        // Unchanged A keeps its version; B's old version is closed by the second snapshot and a new one opened; C is closed; D is new.
        var s1 = first.SnapshotId;
        var s2 = second.SnapshotId;
        Assert.Equal(
            [
                $"A|10.00|{s1}|open",
                $"B|20.00|{s1}|{s2}",
                $"B|25.00|{s2}|open",
                $"C|30.00|{s1}|{s2}",
                $"D|40.00|{s2}|open",
            ],
            await RowsAsync("SELECT concat_ws('|', product_id, base_price, valid_from_snapshot, coalesce(valid_to_snapshot::text, 'open')) FROM product_versions ORDER BY product_id, valid_from_snapshot"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM product_versions WHERE (valid_to_snapshot IS NULL) <> (valid_to IS NULL)"));

        Assert.Equal(["A|10.00", "B|20.00", "C|30.00"], await MembersAsync(s1));
        Assert.Equal(["A|10.00", "B|25.00", "D|40.00"], await MembersAsync(s2));

        // Never deleted: C stays, inactive.
        Assert.Equal(
            [$"A|t|{s1}|{s2}", $"B|t|{s1}|{s2}", $"C|f|{s1}|{s1}", $"D|t|{s2}|{s2}"],
            await RowsAsync("SELECT concat_ws('|', product_id, CASE WHEN is_active THEN 't' ELSE 'f' END, first_seen_snapshot, last_seen_snapshot) FROM products ORDER BY product_id"));
    }

    [Fact]
    public async Task Should_take_back_a_product_that_reappears_with_a_new_version()
    {
        var first = await SaveAsync(CatalogFile.Item("A", 1m), CatalogFile.Item("B", 2m));
        var second = await SaveAsync(CatalogFile.Item("A", 1m));
        var third = await SaveAsync(CatalogFile.Item("A", 1m), CatalogFile.Item("B", 2m));

        Assert.Equal((0, 0, 1), (second.Added, second.Changed, second.Deactivated));
        Assert.Equal((1, 0, 0), (third.Added, third.Changed, third.Deactivated));
        Assert.Equal(["A|1.00"], await MembersAsync(second.SnapshotId));
        Assert.Equal(["A|1.00", "B|2.00"], await MembersAsync(third.SnapshotId));
        Assert.Equal(["A|1.00", "B|2.00"], await MembersAsync(first.SnapshotId));
        Assert.True(await database.ScalarAsync<bool>("SELECT is_active FROM products WHERE product_id = 'B'"));
    }

    [Fact]
    public async Task Should_return_the_existing_snapshot_for_a_run_that_already_has_one()
    {
        var runId = Guid.NewGuid();
        var first = await store.SaveAsync(runId, "http://catalog", ProductSyncBatch.From([CatalogFile.Element(CatalogFile.Item("A", 1m))]), CancellationToken.None);
        var again = await store.SaveAsync(runId, "http://catalog", ProductSyncBatch.From([CatalogFile.Element(CatalogFile.Item("A", 2m))]), CancellationToken.None);

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.SnapshotId, again.SnapshotId);
        Assert.Equal(first.SnapshotId, (await store.FindByRunAsync(runId, CancellationToken.None))?.SnapshotId);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM product_snapshots"));
        Assert.Equal(["A|1.00"], await RowsAsync("SELECT product_id || '|' || base_price FROM product_versions"));
    }

    [Fact]
    public async Task Should_store_two_racing_deliveries_of_one_run_once()
    {
        var runId = Guid.NewGuid();
        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            store.SaveAsync(runId, "http://catalog", ProductSyncBatch.From([CatalogFile.Element(CatalogFile.Item("A", 1m))]), CancellationToken.None))));

        Assert.Single(results, r => r.Created);
        Assert.Equal(results[0].SnapshotId, results[1].SnapshotId);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM product_snapshots"));
    }

    [Fact]
    public async Task Should_wait_while_another_sync_holds_the_snapshot_lock()
    {
        await using var holder = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({ProductSnapshotStore.SnapshotLockKey})", holder, transaction))
            await take.ExecuteNonQueryAsync();

        var save = SaveAsync(CatalogFile.Item("A", 1m));
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        Assert.False(save.IsCompleted, "the store wrote while another transaction held the snapshot lock");
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM product_snapshots"));

        await transaction.CommitAsync();
        var snapshot = await save.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(snapshot.Created);
    }

    [Fact]
    public async Task Should_apply_two_concurrent_syncs_one_after_the_other()
    {
        // Without serialization both would see no open version of A and open one each.
        var results = await Task.WhenAll(
            Task.Run(() => SaveAsync(CatalogFile.Item("A", 10m), CatalogFile.Item("B", 1m))),
            Task.Run(() => SaveAsync(CatalogFile.Item("A", 11m), CatalogFile.Item("B", 1m))));

        var (earlier, later) = results[0].SnapshotId < results[1].SnapshotId ? (results[0], results[1]) : (results[1], results[0]);
        Assert.Equal((2, 0), (earlier.Added, earlier.Changed));
        Assert.Equal((0, 1), (later.Added, later.Changed));
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM product_versions WHERE product_id = 'A' AND valid_to_snapshot IS NULL"));
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM product_versions WHERE product_id = 'B'"));
        var laterPrice = await database.ScalarAsync<decimal>($"SELECT base_price FROM product_versions WHERE product_id = 'A' AND valid_from_snapshot = {later.SnapshotId}");
        var earlierPrice = await database.ScalarAsync<decimal>($"SELECT base_price FROM product_versions WHERE product_id = 'A' AND valid_to_snapshot = {later.SnapshotId}");
        Assert.Equal([10m, 11m], new[] { earlierPrice, laterPrice }.Order());
    }

    Task<StoredSnapshot> SaveAsync(params JsonNode[] items) =>
        store.SaveAsync(Guid.NewGuid(), "http://catalog", ProductSyncBatch.From(items.Select(CatalogFile.Element)), CancellationToken.None);

    /// <summary>The products of snapshot S by the membership rule: valid_from_snapshot ≤ S and (valid_to_snapshot is null or &gt; S).</summary>
    Task<List<string>> MembersAsync(long snapshotId) => RowsAsync(
        $"""
        SELECT product_id || '|' || base_price FROM product_versions
        WHERE valid_from_snapshot <= {snapshotId} AND (valid_to_snapshot IS NULL OR valid_to_snapshot > {snapshotId})
        ORDER BY product_id
        """);

    async Task<List<string>> RowsAsync(string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }

    async Task<string> RowAsync(string sql) => Assert.Single(await RowsAsync(sql));
}
