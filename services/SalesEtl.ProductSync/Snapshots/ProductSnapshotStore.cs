using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using SalesEtl.Data;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.ProductSync.Snapshots;

/// <summary>A stored snapshot, as <c>ProductsSynced</c> reports it.</summary>
/// <param name="Created">False when the run already had a snapshot and that one is returned.</param>
public sealed record StoredSnapshot(
    long SnapshotId,
    int ProductCount,
    int RejectedCount,
    int DuplicateCount,
    int Added,
    int Changed,
    int Deactivated,
    bool Created);

/// <summary>
/// Stores a sync as a versioned snapshot, in one transaction under an advisory lock so that
/// concurrent syncs are applied one after the other (each diffs against the one before it).
/// The diff is set-based: the synced products go to a temporary table by binary COPY, then
/// <list type="bullet">
/// <item>a product whose attributes changed gets its open version closed (<c>valid_to_snapshot</c> = the new snapshot) and a new one opened;</item>
/// <item>a product that is no longer served gets its open version closed and becomes inactive (never deleted);</item>
/// <item>a product without an open version (new, or back after being inactive) gets one;</item>
/// <item>an unchanged product keeps its version.</item>
/// </list>
/// A version belongs to snapshot S when <c>valid_from_snapshot ≤ S</c> and (<c>valid_to_snapshot</c> is null or &gt; S).
/// </summary>
public sealed class ProductSnapshotStore(NpgsqlDataSource dataSource, IDbContextFactory<EtlDbContext> contexts, TimeProvider time) : IProductSnapshotStore
{
    /// <summary>Key of the transaction-level advisory lock that serializes snapshot writes.</summary>
    public const long SnapshotLockKey = 0x5A1E_9D07L;

    // Large catalogs take a while; the defaults (30 s) are for small statements.
    const int BulkCommandTimeoutSeconds = 600;

    /// <summary>The snapshot already stored for a run, if any (a redelivered <c>SyncProducts</c>).</summary>
    public async Task<StoredSnapshot?> FindByRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ProductSnapshots.AsNoTracking()
            .Where(s => s.RunId == runId)
            .OrderBy(s => s.SnapshotId)
            .Select(s => new StoredSnapshot(s.SnapshotId, s.ProductCount, s.RejectedCount, s.DuplicateCount, s.Added, s.Changed, s.Deactivated, false))
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<StoredSnapshot> SaveAsync(Guid runId, string sourceUrl, ProductSyncBatch batch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var acquire = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction) { CommandTimeout = BulkCommandTimeoutSeconds })
        {
            acquire.Parameters.AddWithValue("key", SnapshotLockKey);
            await acquire.ExecuteNonQueryAsync(cancellationToken);
        }

        // Checked again under the lock: two deliveries of one run may have raced past the first check.
        if (await FindByRunAsync(connection, transaction, runId, cancellationToken) is { } existing)
            return existing;

        var takenAt = time.GetUtcNow();
        var snapshotId = await InsertSnapshotAsync(connection, transaction, runId, sourceUrl, takenAt, batch, cancellationToken);
        await CopyProductsAsync(connection, batch, cancellationToken);

        var changed = await ExecuteAsync(connection, transaction, CloseChangedVersions, snapshotId, takenAt, cancellationToken);
        var deactivated = await ExecuteAsync(connection, transaction, CloseVanishedVersions, snapshotId, takenAt, cancellationToken);
        var opened = await ExecuteAsync(connection, transaction, OpenVersions, snapshotId, takenAt, cancellationToken);
        await ExecuteAsync(connection, transaction, UpsertProducts, snapshotId, takenAt, cancellationToken);
        await ExecuteAsync(connection, transaction, DeactivateProducts, snapshotId, takenAt, cancellationToken);
        await CopyRejectsAsync(connection, snapshotId, batch, cancellationToken);
        await SaveFieldsAsync(connection, transaction, snapshotId, batch, cancellationToken);
        await ExecuteAsync(connection, transaction, MatchLateProducts, snapshotId, takenAt, cancellationToken);

        var added = opened - changed;
        await using (var counts = new NpgsqlCommand(
            "UPDATE product_snapshots SET added = @added, changed = @changed, deactivated = @deactivated WHERE snapshot_id = @snapshot_id",
            connection, transaction))
        {
            counts.Parameters.AddWithValue("added", added);
            counts.Parameters.AddWithValue("changed", changed);
            counts.Parameters.AddWithValue("deactivated", deactivated);
            counts.Parameters.AddWithValue("snapshot_id", snapshotId);
            await counts.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new StoredSnapshot(snapshotId, batch.ProductCount, batch.RejectedCount, batch.DuplicateCount, added, changed, deactivated, true);
    }

    /// <summary>
    /// Late-arriving products (docs/DATA_CONTRACT_NOTES.md): the facts of earlier runs flagged unknown_product whose
    /// product this snapshot holds get one match per run and product, written once (the first later snapshot
    /// that holds the product wins, so a match never changes). The runs' own metrics stay as they were. Only finalized
    /// runs (with a quality report) are matched: a run in flight already has the facts its transformers loaded, but not
    /// all of them, and a match counts its facts once.
    /// It reads only the flagged facts, through the partial index ix_fact_sales_unknown_product.
    /// </summary>
    public static readonly string MatchLateProducts = $$"""
        INSERT INTO late_product_matches (run_id, product_id, snapshot_id, version_id, fact_rows, matched_at)
        SELECT f.run_id, f.product_id, @snapshot_id, v.version_id, count(*), @taken_at
        FROM fact_sales f
        JOIN product_versions v
          ON v.product_id = f.product_id AND v.valid_from_snapshot <= @snapshot_id
         AND (v.valid_to_snapshot IS NULL OR v.valid_to_snapshot > @snapshot_id)
        WHERE (f.flags & {{(int)SaleFlags.UnknownProduct}}) <> 0 AND f.snapshot_id < @snapshot_id
          AND EXISTS (SELECT 1 FROM quality_reports q WHERE q.run_id = f.run_id)
          AND NOT EXISTS (SELECT 1 FROM late_product_matches m WHERE m.run_id = f.run_id AND m.product_id = f.product_id)
        GROUP BY f.run_id, f.product_id, v.version_id
        ON CONFLICT (run_id, product_id) DO NOTHING
        """;

    static async Task SaveFieldsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long snapshotId, ProductSyncBatch batch, CancellationToken cancellationToken)
    {
        if (batch.FieldCounts.Count == 0)
            return;
        await using var insert = new NpgsqlCommand(
            "INSERT INTO product_snapshot_fields (snapshot_id, field, items) SELECT @snapshot_id, f, n FROM unnest(@fields, @items) AS t(f, n)",
            connection, transaction);
        insert.Parameters.AddWithValue("snapshot_id", snapshotId);
        insert.Parameters.AddWithValue("fields", batch.FieldCounts.Keys.ToArray());
        insert.Parameters.AddWithValue("items", batch.FieldCounts.Values.ToArray());
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<StoredSnapshot?> FindByRunAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        await using var find = new NpgsqlCommand(
            """
            SELECT snapshot_id, product_count, rejected_count, duplicate_count, added, changed, deactivated
            FROM product_snapshots WHERE run_id = @run_id ORDER BY snapshot_id LIMIT 1
            """, connection, transaction);
        find.Parameters.AddWithValue("run_id", runId);
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new StoredSnapshot(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6), false);
    }

    static async Task<long> InsertSnapshotAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, string sourceUrl, DateTimeOffset takenAt, ProductSyncBatch batch, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO product_snapshots (run_id, source_url, taken_at, items_read, product_count, rejected_count, duplicate_count, invalid_stock_count, added, changed, deactivated)
            VALUES (@run_id, @source_url, @taken_at, @items_read, @product_count, @rejected_count, @duplicate_count, @invalid_stock_count, 0, 0, 0)
            RETURNING snapshot_id
            """, connection, transaction);
        insert.Parameters.AddWithValue("run_id", runId);
        insert.Parameters.AddWithValue("source_url", sourceUrl);
        insert.Parameters.AddWithValue("taken_at", takenAt);
        insert.Parameters.AddWithValue("items_read", batch.ItemsRead);
        insert.Parameters.AddWithValue("product_count", batch.ProductCount);
        insert.Parameters.AddWithValue("rejected_count", batch.RejectedCount);
        insert.Parameters.AddWithValue("duplicate_count", batch.DuplicateCount);
        insert.Parameters.AddWithValue("invalid_stock_count", batch.InvalidStockCount);
        return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
    }

    static async Task CopyProductsAsync(NpgsqlConnection connection, ProductSyncBatch batch, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(
            """
            CREATE TEMP TABLE synced_products (
                product_id     text PRIMARY KEY,
                product_name   text,
                category       text,
                manufacturer   text,
                base_price     numeric(18,2) NOT NULL,
                stock_quantity integer
            ) ON COMMIT DROP
            """, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY synced_products (product_id, product_name, category, manufacturer, base_price, stock_quantity) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var product in batch.Products)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(product.ProductId, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(copy, product.ProductName, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(copy, product.Category, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(copy, product.Manufacturer, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(product.BasePrice, NpgsqlDbType.Numeric, cancellationToken);
                if (product.StockQuantity is { } stock)
                    await copy.WriteAsync(stock, NpgsqlDbType.Integer, cancellationToken);
                else
                    await copy.WriteNullAsync(cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }

        // Fresh statistics, so the planner joins 100k rows by hash rather than guessing.
        await using var analyze = new NpgsqlCommand("ANALYZE synced_products", connection);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task CopyRejectsAsync(NpgsqlConnection connection, long snapshotId, ProductSyncBatch batch, CancellationToken cancellationToken)
    {
        if (batch.RejectedCount == 0)
            return;
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY product_rejects (snapshot_id, item_no, product_id, reason, raw_json) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var reject in batch.Rejects)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(snapshotId, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(reject.ItemNo, NpgsqlDbType.Integer, cancellationToken);
            await WriteNullableAsync(copy, reject.ProductId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(reject.Reason, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(reject.RawJson, NpgsqlDbType.Text, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
            await copy.WriteNullAsync(cancellationToken);
        else
            await copy.WriteAsync(value, type, cancellationToken);
    }

    static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, long snapshotId, DateTimeOffset takenAt, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = BulkCommandTimeoutSeconds };
        command.Parameters.AddWithValue("snapshot_id", snapshotId);
        command.Parameters.AddWithValue("taken_at", takenAt);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    const string CloseChangedVersions =
        """
        UPDATE product_versions v
        SET valid_to_snapshot = @snapshot_id, valid_to = @taken_at
        FROM synced_products p
        WHERE v.product_id = p.product_id
          AND v.valid_to_snapshot IS NULL
          AND (v.product_name, v.category, v.manufacturer, v.base_price, v.stock_quantity)
              IS DISTINCT FROM (p.product_name, p.category, p.manufacturer, p.base_price, p.stock_quantity)
        """;

    const string CloseVanishedVersions =
        """
        UPDATE product_versions v
        SET valid_to_snapshot = @snapshot_id, valid_to = @taken_at
        WHERE v.valid_to_snapshot IS NULL
          AND NOT EXISTS (SELECT 1 FROM synced_products p WHERE p.product_id = v.product_id)
        """;

    // After the two closings, every synced product without an open version is new, changed, or back.
    const string OpenVersions =
        """
        INSERT INTO product_versions (product_id, product_name, category, manufacturer, base_price, stock_quantity, valid_from_snapshot, valid_to_snapshot, valid_from, valid_to)
        SELECT p.product_id, p.product_name, p.category, p.manufacturer, p.base_price, p.stock_quantity, @snapshot_id, NULL, @taken_at, NULL
        FROM synced_products p
        WHERE NOT EXISTS (SELECT 1 FROM product_versions v WHERE v.product_id = p.product_id AND v.valid_to_snapshot IS NULL)
        """;

    const string UpsertProducts =
        """
        INSERT INTO products (product_id, is_active, first_seen_snapshot, last_seen_snapshot)
        SELECT p.product_id, true, @snapshot_id, @snapshot_id FROM synced_products p
        ON CONFLICT (product_id) DO UPDATE SET is_active = true, last_seen_snapshot = excluded.last_seen_snapshot
        """;

    const string DeactivateProducts =
        """
        UPDATE products
        SET is_active = false
        WHERE is_active
          AND NOT EXISTS (SELECT 1 FROM synced_products p WHERE p.product_id = products.product_id)
        """;
}
