using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Facts;

/// <summary>
/// Where a transformer writes a chunk's candidate facts and rejects, in one transaction, replacing an earlier
/// attempt at the same chunk: binary COPY into PostgreSQL (<see cref="TransformedChunkWriter"/>) or batched inserts into SQLite.
/// </summary>
public interface ITransformedChunkStore
{
    /// <summary>Writes the chunk; false, writing nothing, when the run was cancelled or is already finalized.</summary>
    Task<bool> WriteAsync(Guid runId, int chunkNo, long snapshotId, IReadOnlyList<NormalizedSale> candidates, IReadOnlyList<RejectedRow> rejects, CancellationToken cancellationToken);
}
