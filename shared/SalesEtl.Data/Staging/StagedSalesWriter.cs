using System.Data;
using Npgsql;
using NpgsqlTypes;
using SalesEtl.Pipeline.Buffers;
using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Staging;

/// <summary>
/// Stages one chunk of raw records as one row of <c>staged_chunks</c> (the records encoded by
/// <see cref="StagedChunkCodec"/>), replacing whatever an earlier attempt left for that chunk, and reads it back.
/// </summary>
public sealed class StagedSalesWriter(NpgsqlDataSource dataSource) : IStagedSalesStore, IStagedRecordReader
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
        await WriteChunkAsync(connection, null, runId, chunkNo, rows, cancellationToken);
    }

    public async Task WriteEncodedChunkAsync(Guid runId, int chunkNo, ReadOnlyMemory<byte> payload, int rowCount, CancellationToken cancellationToken)
    {
        var announced = StagedChunkCodec.ReadRowCount(payload.Span);
        if (announced != rowCount)
            throw new ArgumentException($"The payload of chunk {chunkNo} announces {announced} rows, not {rowCount}.", nameof(rowCount));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await WriteEncodedChunkAsync(connection, null, runId, chunkNo, payload, rowCount, cancellationToken);
    }

    /// <summary>
    /// Stages a chunk on the caller's connection and transaction (the stream window closer stages a window's chunks
    /// in the transaction that closes it): one row, the records encoded by <see cref="StagedChunkCodec"/>.
    /// </summary>
    internal static async Task WriteChunkAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid runId, int chunkNo, IReadOnlyList<RawSale> rows, CancellationToken cancellationToken)
    {
        using var payload = new PooledBufferWriter(StagedChunkCodec.EstimatedPayloadBytes(rows.Count));
        StagedChunkCodec.Encode(rows, payload);
        await WriteEncodedChunkAsync(connection, transaction, runId, chunkNo, payload.WrittenMemory, rows.Count, cancellationToken);
    }

    static async Task WriteEncodedChunkAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid runId, int chunkNo, ReadOnlyMemory<byte> payload, int rowCount, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO staged_chunks (run_id, chunk_no, row_count, payload) VALUES (@run, @chunk, @rows, @payload)
            ON CONFLICT (run_id, chunk_no) DO UPDATE SET row_count = excluded.row_count, payload = excluded.payload
            """, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("chunk", chunkNo);
        command.Parameters.AddWithValue("rows", rowCount);
        command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("payload", NpgsqlDbType.Bytea) { TypedValue = payload });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Reads a staged chunk back in file order, one record at a time (<see cref="StagedChunkCodec.Reader"/>); returns the
    /// number of records, 0 when no such chunk is staged.
    /// </summary>
    public Task<int> ReadChunkAsync(Guid runId, int chunkNo, Action<RawSale> onRecord, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onRecord);
        var row = 0;
        return ReadChunkRecordsAsync(runId, chunkNo, (in StagedRecord record) => onRecord(record.ToRawSale(row++)), cancellationToken);
    }

    public async Task<int> ReadChunkRecordsAsync(Guid runId, int chunkNo, StagedRecordHandler onRecord, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onRecord);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT row_count, octet_length(payload), payload FROM staged_chunks WHERE run_id = @run AND chunk_no = @chunk", connection);
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.AddWithValue("chunk", chunkNo);
        // Sequential access streams the payload into a pooled array instead of a new one of megabytes per chunk.
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return 0;
        var rowCount = reader.GetInt32(0);
        var length = reader.GetInt32(1);
        var buffer = ChunkBuffers.Pool.Rent(length);
        try
        {
            await using (var stream = await reader.GetStreamAsync(2, cancellationToken))
                await stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
            return Read(buffer.AsSpan(0, length), runId, chunkNo, rowCount, onRecord);
        }
        finally
        {
            ChunkBuffers.Pool.Return(buffer);
        }
    }

    static int Read(ReadOnlySpan<byte> payload, Guid runId, int chunkNo, int rowCount, StagedRecordHandler onRecord)
    {
        var records = new StagedChunkCodec.Reader(payload);
        if (records.Count != rowCount)
            throw new InvalidDataException($"Staged chunk {chunkNo} of run {runId} holds {records.Count} rows, but its row_count says {rowCount}.");
        while (records.TryReadRecord(out var record))
            onRecord(in record);
        return rowCount;
    }
}
