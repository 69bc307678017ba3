using Npgsql;
using NpgsqlTypes;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Facts;

/// <summary>A rejected record of a chunk, with what the reject file shows.</summary>
public sealed record RejectedRow(long SourceLine, string Reason, string RawText);

/// <summary>
/// Writes a transformed chunk (candidate facts and rejects) by binary COPY in one transaction,
/// replacing an earlier attempt at the same chunk, so a redelivered command changes nothing.
/// </summary>
public sealed class TransformedChunkWriter(NpgsqlDataSource dataSource) : ITransformedChunkStore
{
    public async Task WriteAsync(Guid runId, int chunkNo, IReadOnlyList<NormalizedSale> candidates, IReadOnlyList<RejectedRow> rejects, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand(
            "DELETE FROM transformed_sales WHERE run_id = @run AND chunk_no = @chunk; DELETE FROM rejected_rows WHERE run_id = @run AND chunk_no = @chunk AND reason <> 'duplicate_conflict';",
            connection, transaction))
        {
            delete.Parameters.AddWithValue("run", runId);
            delete.Parameters.AddWithValue("chunk", chunkNo);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY transformed_sales (run_id, chunk_no, source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags, raw_text) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            // Synchronous writes per field: they only fill Npgsql's buffer (flushed when full); as fast as an awaited
            // call per field (PostgreSQL is the bound) and without its garbage (CopyWriterBenchmarks).
            foreach (var sale in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                importer.StartRow();
                importer.Write(runId, NpgsqlDbType.Uuid);
                importer.Write(chunkNo, NpgsqlDbType.Integer);
                importer.Write(sale.SourceLine, NpgsqlDbType.Bigint);
                importer.Write(sale.TransactionId, NpgsqlDbType.Text);
                if (sale.CustomerId is null)
                    importer.WriteNull();
                else
                    importer.Write(sale.CustomerId, NpgsqlDbType.Text);
                importer.Write(sale.ProductId, NpgsqlDbType.Text);
                importer.Write(sale.SaleDateUtc, NpgsqlDbType.TimestampTz);
                importer.Write(sale.Quantity, NpgsqlDbType.Integer);
                importer.Write(sale.TotalPrice, NpgsqlDbType.Numeric);
                importer.Write(sale.Channel, NpgsqlDbType.Text);
                importer.Write((int)sale.Flags, NpgsqlDbType.Integer);
                importer.Write(sale.RawText, NpgsqlDbType.Text);
            }
            await importer.CompleteAsync(cancellationToken);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY rejected_rows (run_id, chunk_no, source_line, reason, raw_text) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var reject in rejects)
            {
                importer.StartRow();
                importer.Write(runId, NpgsqlDbType.Uuid);
                importer.Write(chunkNo, NpgsqlDbType.Integer);
                importer.Write(reject.SourceLine, NpgsqlDbType.Bigint);
                importer.Write(reject.Reason, NpgsqlDbType.Text);
                importer.Write(reject.RawText, NpgsqlDbType.Text);
            }
            await importer.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
