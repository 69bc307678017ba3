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

    /// <summary>Reads a staged chunk back in file order; empty when the chunk is not staged (or was lost).</summary>
    Task<List<RawSale>> ReadChunkAsync(Guid runId, int chunkNo, CancellationToken cancellationToken);
}
