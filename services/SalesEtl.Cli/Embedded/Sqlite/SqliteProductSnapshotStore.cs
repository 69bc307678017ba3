using Microsoft.Data.Sqlite;
using SalesEtl.Pipeline.Sales;
using SalesEtl.ProductSync.Snapshots;

namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>
/// The versioned product snapshot of <see cref="ProductSnapshotStore"/> in SQLite. The store's single writer
/// serializes syncs (PostgreSQL needs an advisory lock for that); the diff against the open versions is computed
/// in memory (an embedded catalog is small) with the same rules: changed → close and open, vanished → close and
/// deactivate, new or back → open, unchanged → keep.
/// </summary>
public sealed class SqliteProductSnapshotStore(SqliteEtlStore store, TimeProvider time) : IProductSnapshotStore
{
    const string SelectSnapshot = """
        SELECT snapshot_id, product_count, rejected_count, duplicate_count, added, changed, deactivated
        FROM product_snapshots WHERE run_id = @run ORDER BY snapshot_id LIMIT 1
        """;

    public async Task<StoredSnapshot?> FindByRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenAsync(cancellationToken);
        return await FindAsync(connection, null, runId, cancellationToken);
    }

    public Task<StoredSnapshot> SaveAsync(Guid runId, string sourceUrl, ProductSyncBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return store.WriteAsync(async (connection, transaction) =>
        {
            if (await FindAsync(connection, transaction, runId, cancellationToken) is { } existing)
                return existing;

            var takenAt = SqliteValues.Micros(time.GetUtcNow());
            var snapshotId = Convert.ToInt64(await ScalarAsync(connection, transaction, """
                INSERT INTO product_snapshots (run_id, source_url, taken_at, items_read, product_count, rejected_count, duplicate_count,
                                               invalid_stock_count, added, changed, deactivated)
                VALUES (@run, @url, @taken_at, @items_read, @product_count, @rejected_count, @duplicate_count, @invalid_stock_count, 0, 0, 0)
                RETURNING snapshot_id
                """, cancellationToken,
                ("@run", SqliteValues.Id(runId)), ("@url", sourceUrl), ("@taken_at", takenAt), ("@items_read", batch.ItemsRead),
                ("@product_count", batch.ProductCount), ("@rejected_count", batch.RejectedCount), ("@duplicate_count", batch.DuplicateCount),
                ("@invalid_stock_count", batch.InvalidStockCount)), System.Globalization.CultureInfo.InvariantCulture);

            var open = new Dictionary<string, (long VersionId, Attributes Attributes)>(StringComparer.Ordinal);
            await using (var read = Command(connection, transaction,
                "SELECT version_id, product_id, product_name, category, manufacturer, base_price, stock_quantity FROM product_versions WHERE valid_to_snapshot IS NULL"))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    open[reader.GetString(1)] = (reader.GetInt64(0), new Attributes(
                        reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                        reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt32(6)));
                }
            }

            await using var close = Command(connection, transaction, "UPDATE product_versions SET valid_to_snapshot = @snapshot, valid_to = @taken_at WHERE version_id = @version");
            var c = SqliteBatch.Parameters(close, "@snapshot", "@taken_at", "@version");
            c[0].Value = snapshotId;
            c[1].Value = takenAt;
            await using var insert = Command(connection, transaction, """
                INSERT INTO product_versions (product_id, product_name, category, manufacturer, base_price, stock_quantity, valid_from_snapshot, valid_from)
                VALUES (@product, @name, @category, @manufacturer, @price, @stock, @snapshot, @taken_at)
                """);
            var v = SqliteBatch.Parameters(insert, "@product", "@name", "@category", "@manufacturer", "@price", "@stock", "@snapshot", "@taken_at");
            v[6].Value = snapshotId;
            v[7].Value = takenAt;
            await using var upsert = Command(connection, transaction, """
                INSERT INTO products (product_id, is_active, first_seen_snapshot, last_seen_snapshot) VALUES (@product, 1, @snapshot, @snapshot)
                ON CONFLICT (product_id) DO UPDATE SET is_active = 1, last_seen_snapshot = excluded.last_seen_snapshot
                """);
            var u = SqliteBatch.Parameters(upsert, "@product", "@snapshot");
            u[1].Value = snapshotId;

            int changed = 0, added = 0, deactivated = 0;
            var synced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var product in batch.Products)
            {
                synced.Add(product.ProductId);
                var attributes = new Attributes(product.ProductName, product.Category, product.Manufacturer, SqliteValues.Cents(product.BasePrice), product.StockQuantity);
                if (open.TryGetValue(product.ProductId, out var current))
                {
                    if (current.Attributes == attributes)
                        goto upsertProduct;
                    c[2].Value = current.VersionId;
                    await close.ExecuteNonQueryAsync(cancellationToken);
                    changed++;
                }
                else
                {
                    added++;
                }
                v[0].Value = product.ProductId;
                v[1].Value = SqliteBatch.Nullable(product.ProductName);
                v[2].Value = SqliteBatch.Nullable(product.Category);
                v[3].Value = SqliteBatch.Nullable(product.Manufacturer);
                v[4].Value = attributes.BasePrice;
                v[5].Value = SqliteBatch.Nullable(product.StockQuantity);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            upsertProduct:
                u[0].Value = product.ProductId;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
            foreach (var (productId, (versionId, _)) in open)
            {
                if (synced.Contains(productId))
                    continue;
                c[2].Value = versionId;
                await close.ExecuteNonQueryAsync(cancellationToken);
                deactivated++;
            }
            await ExecuteAsync(connection, transaction, "UPDATE products SET is_active = 0 WHERE is_active = 1 AND last_seen_snapshot <> @snapshot", cancellationToken, ("@snapshot", snapshotId));

            await using (var rejects = Command(connection, transaction, "INSERT INTO product_rejects (snapshot_id, item_no, product_id, reason, raw_json) VALUES (@snapshot, @item, @product, @reason, @raw)"))
            {
                var r = SqliteBatch.Parameters(rejects, "@snapshot", "@item", "@product", "@reason", "@raw");
                r[0].Value = snapshotId;
                foreach (var reject in batch.Rejects)
                {
                    r[1].Value = reject.ItemNo;
                    r[2].Value = SqliteBatch.Nullable(reject.ProductId);
                    r[3].Value = reject.Reason;
                    r[4].Value = reject.RawJson;
                    await rejects.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            foreach (var (field, items) in batch.FieldCounts)
                await ExecuteAsync(connection, transaction, "INSERT INTO product_snapshot_fields (snapshot_id, field, items) VALUES (@snapshot, @field, @items)",
                    cancellationToken, ("@snapshot", snapshotId), ("@field", field), ("@items", items));

            await ExecuteAsync(connection, transaction, $"""
                INSERT OR IGNORE INTO late_product_matches (run_id, product_id, snapshot_id, version_id, fact_rows, matched_at)
                SELECT f.run_id, f.product_id, @snapshot, v.version_id, count(*), @taken_at
                FROM fact_sales f
                JOIN product_versions v
                  ON v.product_id = f.product_id AND v.valid_from_snapshot <= @snapshot
                 AND (v.valid_to_snapshot IS NULL OR v.valid_to_snapshot > @snapshot)
                WHERE (f.flags & {(int)SaleFlags.UnknownProduct}) <> 0 AND f.snapshot_id < @snapshot
                  AND NOT EXISTS (SELECT 1 FROM late_product_matches m WHERE m.run_id = f.run_id AND m.product_id = f.product_id)
                GROUP BY f.run_id, f.product_id, v.version_id
                """, cancellationToken, ("@snapshot", snapshotId), ("@taken_at", takenAt));

            await ExecuteAsync(connection, transaction, "UPDATE product_snapshots SET added = @added, changed = @changed, deactivated = @deactivated WHERE snapshot_id = @snapshot",
                cancellationToken, ("@added", added), ("@changed", changed), ("@deactivated", deactivated), ("@snapshot", snapshotId));
            return new StoredSnapshot(snapshotId, batch.ProductCount, batch.RejectedCount, batch.DuplicateCount, added, changed, deactivated, true);
        }, cancellationToken);
    }

    sealed record Attributes(string? ProductName, string? Category, string? Manufacturer, long BasePrice, int? StockQuantity);

    static async Task<StoredSnapshot?> FindAsync(SqliteConnection connection, SqliteTransaction? transaction, Guid runId, CancellationToken cancellationToken)
    {
        await using var find = Command(connection, transaction, SelectSnapshot);
        find.Parameters.AddWithValue("@run", SqliteValues.Id(runId));
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new StoredSnapshot(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6), false);
    }

    static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
