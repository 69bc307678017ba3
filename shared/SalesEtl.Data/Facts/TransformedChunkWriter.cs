using Npgsql;
using NpgsqlTypes;
using SalesEtl.Data.Runs;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Facts;

/// <summary>A rejected record of a chunk, with what the reject file shows.</summary>
public sealed record RejectedRow(long SourceLine, string Reason, string RawText);

/// <summary>
/// Writes a transformed chunk (an <see cref="EncodedChunk"/>, its rows encoded as they were transformed) by binary COPY in one transaction, replacing an earlier attempt at the same chunk, so a
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

    // The chunk's mark, in its transaction; true when there was none (a first attempt). The update of an existing mark
    // locks it, so attempts at the same chunk take turns: each waits here for the one before to end, then finds its
    // mark and replaces what it wrote (xmax is 0 only on the row version an insert made).
    const string MarkTransformed = """
        INSERT INTO transformed_chunks (run_id, chunk_no) VALUES (@run, @chunk)
        ON CONFLICT (run_id, chunk_no) DO UPDATE SET chunk_no = excluded.chunk_no
        RETURNING xmax = 0
        """;

    // fact_sales has no key (migration FactsWithoutPrimaryKey): an earlier attempt's facts are found by the chunk's line
    // range through the BRIN index, a scan of the run's latest pages, paid by redeliveries only.
    const string DeleteEarlierFacts = "DELETE FROM fact_sales WHERE run_id = @run AND source_line BETWEEN @first AND @last";

    const string DeleteEarlierAttempt = """
        DELETE FROM transformed_sales WHERE run_id = @run AND chunk_no = @chunk;
        DELETE FROM rejected_rows WHERE run_id = @run AND chunk_no = @chunk AND reason <> 'duplicate_conflict';
        """;

    /// <summary>An <see cref="EncodedChunk"/>: each candidate is encoded as its COPY row when it is added.</summary>
    public ITransformedChunk Begin(Guid runId, int chunkNo, long snapshotId) => new EncodedChunk(runId, chunkNo, snapshotId);

    public async Task<bool> WriteAsync(ITransformedChunk chunk, CancellationToken cancellationToken)
    {
        var encoded = chunk as EncodedChunk
            ?? throw new ArgumentException($"The chunk must come from {nameof(TransformedChunkWriter)}.{nameof(Begin)}.", nameof(chunk));
        var runId = encoded.RunId;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, RunLocks.Shared, runId, cancellationToken);
        if (await RunStates.IsCancelledAsync(connection, transaction, runId, cancellationToken)
            || await ScalarAsync(connection, transaction, Finalized, runId, cancellationToken) is true)
            return false;

        bool earlierAttempt;
        await using (var mark = new NpgsqlCommand(MarkTransformed, connection, transaction))
        {
            mark.Parameters.AddWithValue("run", runId);
            mark.Parameters.AddWithValue("chunk", encoded.ChunkNo);
            earlierAttempt = await mark.ExecuteScalarAsync(cancellationToken) is false;
        }
        await using (var delete = new NpgsqlCommand(earlierAttempt ? DeleteEarlierFacts + ";" + DeleteEarlierAttempt : DeleteEarlierAttempt, connection, transaction))
        {
            delete.Parameters.AddWithValue("run", runId);
            delete.Parameters.AddWithValue("chunk", encoded.ChunkNo);
            delete.Parameters.AddWithValue("first", encoded.FirstLine);
            delete.Parameters.AddWithValue("last", encoded.LastLine);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        // Both candidate tables by raw binary COPY of the rows the chunk encoded as it was built (SaleCopyRows): Npgsql's
        // importer resolved a converter and built a numeric per field, the transformer's largest cost per row (docs/PERFORMANCE.md).
        if (encoded.FactRows > 0)
            await CopyAsync(connection, SaleCopyRows.FactSalesCopy, encoded.FactCopyRows, cancellationToken);
        if (encoded.CandidateRows > 0)
            await CopyAsync(connection, SaleCopyRows.TransformedSalesCopy, encoded.CandidateCopyRows, cancellationToken);

        if (encoded.Rejects.Count > 0)
        {
            await using var importer = await connection.BeginBinaryImportAsync(
                "COPY rejected_rows (run_id, chunk_no, source_line, reason, raw_text) FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var reject in encoded.Rejects)
            {
                importer.StartRow();
                importer.Write(runId, NpgsqlDbType.Uuid);
                importer.Write(encoded.ChunkNo, NpgsqlDbType.Integer);
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
    /// Sends pre-encoded rows (header included) and the trailer to a raw binary COPY. Disposing the stream ends the
    /// COPY: a value the server refuses (a price out of numeric(18,2)) fails there. If sending fails, the COPY is
    /// cancelled rather than ended.
    /// </summary>
    static async Task CopyAsync(NpgsqlConnection connection, string copyCommand, ReadOnlyMemory<byte> rows, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginRawBinaryCopyAsync(copyCommand, cancellationToken);
        try
        {
            await copy.WriteAsync(rows, cancellationToken);
            await copy.WriteAsync(Trailer, cancellationToken);
        }
        catch (Exception)
        {
            await copy.CancelQuietlyAsync();
            throw;
        }
    }

    static readonly ReadOnlyMemory<byte> Trailer = PgBinaryCopy.Trailer.ToArray();

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
