using Npgsql;
using NpgsqlTypes;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Staging;

/// <summary>Stages one chunk of raw records by binary COPY, replacing whatever an earlier attempt left for that chunk.</summary>
public sealed class StagedSalesWriter(NpgsqlDataSource dataSource) : IStagedSalesStore
{
    /// <summary>
    /// Records the header of a run's file (table run_ingest_info) for the schema-drift part of the quality report;
    /// a redelivery overwrites it.
    /// </summary>
    public async Task WriteHeaderAsync(Guid runId, HeaderResolution resolution, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        var header = resolution.Header ?? throw new ArgumentException("Only a usable header is recorded.", nameof(resolution));
        await using var command = dataSource.CreateCommand("""
            INSERT INTO run_ingest_info (run_id, header_columns, extra_columns, required_in_order, recorded_at)
            VALUES (@run, @columns, @extra, @in_order, @at)
            ON CONFLICT (run_id) DO UPDATE SET header_columns = excluded.header_columns, extra_columns = excluded.extra_columns,
                required_in_order = excluded.required_in_order, recorded_at = excluded.recorded_at
            """);
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("columns", resolution.Names.ToArray());
        command.Parameters.AddWithValue("extra", header.ExtraColumns.ToArray());
        command.Parameters.AddWithValue("in_order", header.RequiredInSpecOrder);
        command.Parameters.AddWithValue("at", readAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task WriteChunkAsync(Guid runId, int chunkNo, IReadOnlyList<RawSale> rows, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand("DELETE FROM staged_sales WHERE run_id = @run AND chunk_no = @chunk", connection, transaction))
        {
            delete.Parameters.AddWithValue("run", runId);
            delete.Parameters.AddWithValue("chunk", chunkNo);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY staged_sales (run_id, chunk_no, source_line, malformed, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, raw_text) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(runId, NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(chunkNo, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(row.SourceLine, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(row.Malformed, NpgsqlDbType.Boolean, cancellationToken);
                await WriteTextAsync(importer, row.TransactionId, cancellationToken);
                await WriteTextAsync(importer, row.CustomerId, cancellationToken);
                await WriteTextAsync(importer, row.ProductId, cancellationToken);
                await WriteTextAsync(importer, row.SaleDate, cancellationToken);
                await WriteTextAsync(importer, row.Quantity, cancellationToken);
                await WriteTextAsync(importer, row.TotalPrice, cancellationToken);
                await WriteTextAsync(importer, row.SalesChannel, cancellationToken);
                await importer.WriteAsync(row.RawText, NpgsqlDbType.Text, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Reads a staged chunk back in file order.</summary>
    public async Task<List<RawSale>> ReadChunkAsync(Guid runId, int chunkNo, CancellationToken cancellationToken)
    {
        var rows = new List<RawSale>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var reader = await connection.BeginBinaryExportAsync(
            $"COPY (SELECT source_line, malformed, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, raw_text FROM staged_sales WHERE run_id = '{runId}' AND chunk_no = {chunkNo} ORDER BY source_line) TO STDOUT (FORMAT BINARY)",
            cancellationToken);
        while (await reader.StartRowAsync(cancellationToken) != -1)
        {
            rows.Add(new RawSale(
                SourceLine: await reader.ReadAsync<long>(cancellationToken),
                Malformed: await reader.ReadAsync<bool>(cancellationToken),
                TransactionId: await ReadTextAsync(reader, cancellationToken),
                CustomerId: await ReadTextAsync(reader, cancellationToken),
                ProductId: await ReadTextAsync(reader, cancellationToken),
                SaleDate: await ReadTextAsync(reader, cancellationToken),
                Quantity: await ReadTextAsync(reader, cancellationToken),
                TotalPrice: await ReadTextAsync(reader, cancellationToken),
                SalesChannel: await ReadTextAsync(reader, cancellationToken),
                RawText: await reader.ReadAsync<string>(cancellationToken)));
        }
        return rows;
    }

    static Task WriteTextAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    static async Task<string?> ReadTextAsync(NpgsqlBinaryExporter reader, CancellationToken cancellationToken) =>
        reader.IsNull ? await SkipNullAsync(reader, cancellationToken) : await reader.ReadAsync<string>(cancellationToken);

    static async Task<string?> SkipNullAsync(NpgsqlBinaryExporter reader, CancellationToken cancellationToken)
    {
        await reader.SkipAsync(cancellationToken);
        return null;
    }
}
