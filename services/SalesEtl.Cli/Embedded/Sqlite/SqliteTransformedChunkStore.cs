using SalesEtl.Data.Facts;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Cli.Embedded.Sqlite;

/// <summary>
/// Writes a transformed chunk to SQLite by batched inserts in one transaction, replacing an earlier attempt. Every
/// candidate, first occurrence of its id or not, goes into transformed_sales and takes the duplicate check of the
/// finalization (the embedded mode has no cancel, and a run is finalized once, after its last chunk).
/// </summary>
public sealed class SqliteTransformedChunkStore(SqliteEtlStore store) : ITransformedChunkStore
{
    /// <summary>A <see cref="CollectedChunk"/>: the candidates are inserted row by row, so they are kept as they are.</summary>
    public ITransformedChunk Begin(Guid runId, int chunkNo, long snapshotId) => new CollectedChunk(runId, chunkNo, snapshotId);

    public async Task<bool> WriteAsync(ITransformedChunk chunk, CancellationToken cancellationToken)
    {
        var collected = chunk as CollectedChunk
            ?? throw new ArgumentException($"The chunk must come from {nameof(SqliteTransformedChunkStore)}.{nameof(Begin)}.", nameof(chunk));
        var (runId, chunkNo, candidates, rejects) = (collected.RunId, collected.ChunkNo, collected.CandidateSales, collected.Rejects);
        await store.WriteAsync(async (connection, transaction) =>
        {
            var run = SqliteValues.Id(runId);
            await using (var delete = connection.CreateCommand())
            {
                delete.Transaction = transaction;
                delete.CommandText = """
                    DELETE FROM transformed_sales WHERE run_id = $run AND chunk_no = $chunk;
                    DELETE FROM rejected_rows WHERE run_id = $run AND chunk_no = $chunk AND reason <> 'duplicate_conflict';
                    """;
                delete.Parameters.AddWithValue("$run", run);
                delete.Parameters.AddWithValue("$chunk", chunkNo);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT INTO transformed_sales (run_id, chunk_no, source_line, transaction_id, customer_id, product_id, sale_date, quantity,
                                                   total_price, sales_channel, flags)
                    VALUES ($run, $chunk, $line, $transaction_id, $customer_id, $product_id, $sale_date, $quantity, $total_price, $channel, $flags)
                    """;
                var p = SqliteBatch.Parameters(insert, "$run", "$chunk", "$line", "$transaction_id", "$customer_id", "$product_id", "$sale_date",
                    "$quantity", "$total_price", "$channel", "$flags");
                p[0].Value = run;
                p[1].Value = chunkNo;
                insert.Prepare();
                foreach (var sale in candidates)
                {
                    p[2].Value = sale.SourceLine;
                    p[3].Value = sale.TransactionId;
                    p[4].Value = SqliteBatch.Nullable(sale.CustomerId);
                    p[5].Value = sale.ProductId;
                    p[6].Value = SqliteValues.Micros(sale.SaleDateUtc);
                    p[7].Value = sale.Quantity;
                    p[8].Value = SqliteValues.Cents(sale.TotalPrice);
                    p[9].Value = sale.Channel;
                    p[10].Value = (int)sale.Flags;
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await using var rejectInsert = connection.CreateCommand();
            rejectInsert.Transaction = transaction;
            rejectInsert.CommandText = "INSERT INTO rejected_rows (run_id, chunk_no, source_line, reason, raw_text) VALUES ($run, $chunk, $line, $reason, $raw)";
            var r = SqliteBatch.Parameters(rejectInsert, "$run", "$chunk", "$line", "$reason", "$raw");
            r[0].Value = run;
            r[1].Value = chunkNo;
            rejectInsert.Prepare();
            foreach (var reject in rejects)
            {
                r[2].Value = reject.SourceLine;
                r[3].Value = reject.Reason;
                r[4].Value = reject.RawText;
                await rejectInsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);
        return true;
    }
}
