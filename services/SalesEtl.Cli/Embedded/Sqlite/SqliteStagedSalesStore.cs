using System.Text.Json;
using Microsoft.Data.Sqlite;
using SalesEtl.Data.Staging;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>Stages raw records in SQLite by batched inserts (one prepared statement, one transaction per chunk).</summary>
public sealed class SqliteStagedSalesStore(SqliteEtlStore store) : IStagedSalesStore
{
    public Task WriteHeaderAsync(Guid runId, HeaderResolution resolution, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        var header = resolution.Header ?? throw new ArgumentException("Only a usable header is recorded.", nameof(resolution));
        return store.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO run_ingest_info (run_id, header_columns, extra_columns, required_in_order, recorded_at)
                VALUES ($run, $columns, $extra, $in_order, $at)
                """;
            command.Parameters.AddWithValue("$run", SqliteValues.Id(runId));
            command.Parameters.AddWithValue("$columns", JsonSerializer.Serialize(resolution.Names));
            command.Parameters.AddWithValue("$extra", JsonSerializer.Serialize(header.ExtraColumns));
            command.Parameters.AddWithValue("$in_order", header.RequiredInSpecOrder);
            command.Parameters.AddWithValue("$at", SqliteValues.Micros(readAt));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public Task WriteChunkAsync(Guid runId, int chunkNo, IReadOnlyList<RawSale> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return store.WriteAsync(async (connection, transaction) =>
        {
            var run = SqliteValues.Id(runId);
            await using (var delete = connection.CreateCommand())
            {
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM staged_sales WHERE run_id = $run AND chunk_no = $chunk";
                delete.Parameters.AddWithValue("$run", run);
                delete.Parameters.AddWithValue("$chunk", chunkNo);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO staged_sales (run_id, chunk_no, source_line, malformed, transaction_id, customer_id, product_id, sale_date,
                                          quantity, total_price, sales_channel, raw_text)
                VALUES ($run, $chunk, $line, $malformed, $transaction_id, $customer_id, $product_id, $sale_date, $quantity, $total_price, $channel, $raw)
                """;
            var p = SqliteBatch.Parameters(insert, "$run", "$chunk", "$line", "$malformed", "$transaction_id", "$customer_id", "$product_id",
                "$sale_date", "$quantity", "$total_price", "$channel", "$raw");
            p[0].Value = run;
            p[1].Value = chunkNo;
            insert.Prepare();
            foreach (var row in rows)
            {
                p[2].Value = row.SourceLine;
                p[3].Value = row.Malformed;
                p[4].Value = SqliteBatch.Nullable(row.TransactionId);
                p[5].Value = SqliteBatch.Nullable(row.CustomerId);
                p[6].Value = SqliteBatch.Nullable(row.ProductId);
                p[7].Value = SqliteBatch.Nullable(row.SaleDate);
                p[8].Value = SqliteBatch.Nullable(row.Quantity);
                p[9].Value = SqliteBatch.Nullable(row.TotalPrice);
                p[10].Value = SqliteBatch.Nullable(row.SalesChannel);
                p[11].Value = row.RawText;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);
    }

    /// <remarks>SQLite stages rows, not payloads: the payload is decoded and its records inserted as a list's are.</remarks>
    public Task WriteEncodedChunkAsync(Guid runId, int chunkNo, ReadOnlyMemory<byte> payload, int rowCount, CancellationToken cancellationToken)
    {
        var rows = StagedChunkCodec.Decode(payload.Span);
        if (rows.Count != rowCount)
            throw new ArgumentException($"The payload of chunk {chunkNo} holds {rows.Count} rows, not {rowCount}.", nameof(rowCount));
        return WriteChunkAsync(runId, chunkNo, rows, cancellationToken);
    }

    public async Task<int> ReadChunkAsync(Guid runId, int chunkNo, Action<RawSale> onRecord, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onRecord);
        var rows = 0;
        await using var connection = await store.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT source_line, malformed, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, raw_text
            FROM staged_sales WHERE run_id = $run AND chunk_no = $chunk ORDER BY source_line
            """;
        command.Parameters.AddWithValue("$run", SqliteValues.Id(runId));
        command.Parameters.AddWithValue("$chunk", chunkNo);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows++;
            onRecord(new RawSale(
                SourceLine: reader.GetInt64(0),
                Malformed: reader.GetBoolean(1),
                TransactionId: Text(reader, 2),
                CustomerId: Text(reader, 3),
                ProductId: Text(reader, 4),
                SaleDate: Text(reader, 5),
                Quantity: Text(reader, 6),
                TotalPrice: Text(reader, 7),
                SalesChannel: Text(reader, 8),
                RawText: reader.GetString(9)));
        }
        return rows;
    }

    static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

/// <summary>Helpers for batched inserts: one prepared command, its parameters reused row after row.</summary>
static class SqliteBatch
{
    public static SqliteParameter[] Parameters(SqliteCommand command, params string[] names) =>
        [.. names.Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name }))];

    public static object Nullable(object? value) => value ?? DBNull.Value;
}
