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
            "COPY transformed_sales (run_id, chunk_no, source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var sale in candidates)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(runId, NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(chunkNo, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(sale.SourceLine, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(sale.TransactionId, NpgsqlDbType.Text, cancellationToken);
                if (sale.CustomerId is null)
                    await importer.WriteNullAsync(cancellationToken);
                else
                    await importer.WriteAsync(sale.CustomerId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(sale.ProductId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(sale.SaleDateUtc, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(sale.Quantity, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(sale.TotalPrice, NpgsqlDbType.Numeric, cancellationToken);
                await importer.WriteAsync(sale.Channel, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync((int)sale.Flags, NpgsqlDbType.Integer, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY rejected_rows (run_id, chunk_no, source_line, reason, raw_text) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var reject in rejects)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(runId, NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(chunkNo, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(reject.SourceLine, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(reject.Reason, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(reject.RawText, NpgsqlDbType.Text, cancellationToken);
            }
            await importer.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
