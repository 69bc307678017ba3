using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Staging;

/// <summary>
/// Where the ingestor stages a run's raw records and the transformers read them back: one payload per chunk in
/// PostgreSQL (<see cref="StagedSalesWriter"/>) or batched inserts into SQLite (embedded mode).
/// A chunk written again replaces the earlier attempt.
/// </summary>
public interface IStagedSalesStore
{
    /// <summary>Records the header of a run's file for the schema-drift part of the quality report; a redelivery overwrites it.</summary>
    Task WriteHeaderAsync(Guid runId, HeaderResolution resolution, DateTimeOffset readAt, CancellationToken cancellationToken);

    Task WriteChunkAsync(Guid runId, int chunkNo, IReadOnlyList<RawSale> rows, CancellationToken cancellationToken);

    /// <summary>
    /// Stages a chunk already encoded by <see cref="StagedChunkCodec"/> (the ingestor encodes each record as it reads
    /// it); <paramref name="rowCount"/> is the count its header announces.
    /// </summary>
    Task WriteEncodedChunkAsync(Guid runId, int chunkNo, ReadOnlyMemory<byte> payload, int rowCount, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a staged chunk back in file order, handing each record to <paramref name="onRecord"/> before reading the
    /// next, so that no record need outlive its processing. Returns the number of records: 0 when the chunk is not
    /// staged (or was lost).
    /// </summary>
    Task<int> ReadChunkAsync(Guid runId, int chunkNo, Action<RawSale> onRecord, CancellationToken cancellationToken);
}

/// <summary>
/// A store whose staged chunks are payloads (<see cref="StagedChunkCodec"/>): it hands out each record as it lies in the
/// payload, its texts as UTF-8, so that a reader makes no string of a text it does not need (the transformer's hot path).
/// </summary>
public interface IStagedRecordReader
{
    /// <summary>As <see cref="IStagedSalesStore.ReadChunkAsync"/>, each record as a <see cref="StagedRecord"/> valid during the call.</summary>
    Task<int> ReadChunkRecordsAsync(Guid runId, int chunkNo, StagedRecordHandler onRecord, CancellationToken cancellationToken);
}

/// <summary>Reading a staged chunk into a list.</summary>
public static class StagedSalesStores
{
    /// <summary>Reads a staged chunk back in file order; empty when the chunk is not staged (or was lost).</summary>
    public static async Task<List<RawSale>> ReadChunkAsync(this IStagedSalesStore store, Guid runId, int chunkNo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = new List<RawSale>();
        await store.ReadChunkAsync(runId, chunkNo, rows.Add, cancellationToken);
        return rows;
    }
}
