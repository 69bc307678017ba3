using Npgsql;
using NpgsqlTypes;
using SalesEtl.Data.Runs;
using SalesEtl.Pipeline.Buffers;
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

        // Both candidate tables by raw binary COPY of rows we encode ourselves (SaleCopyRows): Npgsql's importer resolved
        // a converter and built a numeric per field, the transformer's largest cost per row (docs/PERFORMANCE.md).
        if (candidates.Any(sale => sale.FirstOccurrence))
            await CopyAsync(connection, SaleCopyRows.FactSalesCopy, candidates, firstOccurrences: true,
                (buffer, sale) => SaleCopyRows.AppendFact(buffer, runId, sale, snapshotId), cancellationToken);

        if (candidates.Any(sale => !sale.FirstOccurrence))
            await CopyAsync(connection, SaleCopyRows.TransformedSalesCopy, candidates, firstOccurrences: false,
                (buffer, sale) => SaleCopyRows.AppendCandidate(buffer, runId, chunkNo, sale), cancellationToken);

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

    /// <summary>
    /// Streams the candidates whose <see cref="NormalizedSale.FirstOccurrence"/> is <paramref name="firstOccurrences"/>
    /// to a raw binary COPY, a pooled batch of about <see cref="CopyBatchBytes"/> at a time, so PostgreSQL parses one
    /// batch while the next is encoded. Disposing the stream ends the COPY: a value the server refuses (a price out of
    /// numeric(18,2)) fails there. If encoding or sending fails, the COPY is cancelled rather than ended.
    /// </summary>
    static async Task CopyAsync(
        NpgsqlConnection connection, string copyCommand, IReadOnlyList<NormalizedSale> candidates, bool firstOccurrences,
        Action<PooledBufferWriter, NormalizedSale> appendRow, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter(2 * CopyBatchBytes);
        await using var copy = await connection.BeginRawBinaryCopyAsync(copyCommand, cancellationToken);
        try
        {
            PgBinaryCopy.WriteHeader(buffer);
            foreach (var sale in candidates)
            {
                if (sale.FirstOccurrence != firstOccurrences)
                    continue;
                appendRow(buffer, sale);
                if (buffer.WrittenCount >= CopyBatchBytes)
                {
                    await copy.WriteAsync(buffer.WrittenMemory, cancellationToken);
                    buffer.Clear();
                }
            }
            PgBinaryCopy.WriteTrailer(buffer);
            await copy.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }
        catch (Exception)
        {
            await CancelAsync(copy);
            throw;
        }
    }

    const int CopyBatchBytes = 128 * 1024;

    // Sends CopyFail, so that nothing of a half-written chunk is taken (the transaction is rolled back anyway). When the
    // connection itself broke there is nothing to cancel: the original exception is the one to see.
    static async Task CancelAsync(NpgsqlRawCopyStream copy)
    {
        try
        {
            await copy.CancelAsync();
        }
        catch (Exception exception) when (exception is NpgsqlException or ObjectDisposedException or InvalidOperationException)
        {
        }
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
