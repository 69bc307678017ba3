using Npgsql;
using NpgsqlTypes;
using SalesEtl.Data.Runs;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Facts;

/// <summary>A rejected record of a chunk, with what the reject file shows.</summary>
public sealed record RejectedRow(long SourceLine, string Reason, string RawText);

/// <summary>
/// Writes a transformed chunk by binary COPY in one transaction, replacing an earlier attempt at the same chunk, so a
/// redelivered command changes nothing. A candidate whose transaction id certainly occurs for the first time in the
/// run (<see cref="NormalizedSale.FirstOccurrence"/>) is the first participating row of its id, so it goes straight
/// into <c>fact_sales</c>; any other candidate goes into <c>transformed_sales</c> for the duplicate check over the
/// whole run at finalization (docs/PERFORMANCE.md, round 3). Chunks are consecutive line ranges of the file, so the
/// chunk's earlier facts are the run's facts within its first and last line.
/// <para>
/// The run's lock is taken shared: chunks are written side by side, but never while the run is being finalized or
/// purged. A cancelled run, or one already finalized (it has its quality report; its facts are final), is not
/// written to: a late redelivery must not change the facts that its metrics were computed from.
/// </para>
/// </summary>
public sealed class TransformedChunkWriter(NpgsqlDataSource dataSource) : ITransformedChunkStore
{
    const string Finalized = "SELECT EXISTS (SELECT 1 FROM quality_reports WHERE run_id = @run)";

    const string DeleteEarlierAttempt = """
        DELETE FROM fact_sales WHERE run_id = @run AND source_line BETWEEN @first AND @last;
        DELETE FROM transformed_sales WHERE run_id = @run AND chunk_no = @chunk;
        DELETE FROM rejected_rows WHERE run_id = @run AND chunk_no = @chunk AND reason <> 'duplicate_conflict';
        """;

    public async Task<bool> WriteAsync(Guid runId, int chunkNo, long snapshotId, IReadOnlyList<NormalizedSale> candidates, IReadOnlyList<RejectedRow> rejects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(rejects);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, RunLocks.Shared, runId, cancellationToken);
        if (await RunStates.IsCancelledAsync(connection, transaction, runId, cancellationToken)
            || await ScalarAsync(connection, transaction, Finalized, runId, cancellationToken) is true)
            return false;

        await using (var delete = new NpgsqlCommand(DeleteEarlierAttempt, connection, transaction))
        {
            var (first, last) = LineRange(candidates, rejects);
            delete.Parameters.AddWithValue("run", runId);
            delete.Parameters.AddWithValue("chunk", chunkNo);
            delete.Parameters.AddWithValue("first", first);
            delete.Parameters.AddWithValue("last", last);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        // Synchronous writes per field: they only fill Npgsql's buffer (flushed when full); as fast as an awaited call
        // per field (PostgreSQL is the bound) and without its garbage (CopyWriterBenchmarks).
        if (candidates.Any(sale => sale.FirstOccurrence))
        {
            await using var importer = await connection.BeginBinaryImportAsync(
                "COPY fact_sales (run_id, source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags, snapshot_id) FROM STDIN (FORMAT BINARY)",
                cancellationToken);
            foreach (var sale in candidates)
            {
                if (!sale.FirstOccurrence)
                    continue;
                cancellationToken.ThrowIfCancellationRequested();
                importer.StartRow();
                importer.Write(runId, NpgsqlDbType.Uuid);
                WriteSale(importer, sale);
                importer.Write(snapshotId, NpgsqlDbType.Bigint);
            }
            await importer.CompleteAsync(cancellationToken);
        }

        if (candidates.Any(sale => !sale.FirstOccurrence))
        {
            await using var importer = await connection.BeginBinaryImportAsync(
                "COPY transformed_sales (run_id, chunk_no, source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags, raw_text) FROM STDIN (FORMAT BINARY)",
                cancellationToken);
            foreach (var sale in candidates)
            {
                if (sale.FirstOccurrence)
                    continue;
                cancellationToken.ThrowIfCancellationRequested();
                importer.StartRow();
                importer.Write(runId, NpgsqlDbType.Uuid);
                importer.Write(chunkNo, NpgsqlDbType.Integer);
                WriteSale(importer, sale);
                importer.Write(sale.RawText, NpgsqlDbType.Text);
            }
            await importer.CompleteAsync(cancellationToken);
        }

        if (rejects.Count > 0)
        {
            await using var importer = await connection.BeginBinaryImportAsync(
                "COPY rejected_rows (run_id, chunk_no, source_line, reason, raw_text) FROM STDIN (FORMAT BINARY)", cancellationToken);
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
        return true;
    }

    /// <summary>source_line through flags: the columns fact_sales and transformed_sales share, in their order.</summary>
    static void WriteSale(NpgsqlBinaryImporter importer, NormalizedSale sale)
    {
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
    }

    // Both lists are in line order; a chunk is never empty.
    static (long First, long Last) LineRange(IReadOnlyList<NormalizedSale> candidates, IReadOnlyList<RejectedRow> rejects)
    {
        var first = long.MaxValue;
        var last = long.MinValue;
        if (candidates.Count > 0)
            (first, last) = (candidates[0].SourceLine, candidates[^1].SourceLine);
        if (rejects.Count > 0)
            (first, last) = (Math.Min(first, rejects[0].SourceLine), Math.Max(last, rejects[^1].SourceLine));
        return (first, last);
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
