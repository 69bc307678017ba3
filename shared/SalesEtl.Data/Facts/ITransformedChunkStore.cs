using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Facts;

/// <summary>
/// Where a transformer writes a chunk's candidate facts and rejects, in one transaction, replacing an earlier
/// attempt at the same chunk: binary COPY into PostgreSQL (<see cref="TransformedChunkWriter"/>) or batched inserts into SQLite.
/// A chunk is built record by record in the form its store writes (<see cref="Begin"/>), then written.
/// </summary>
public interface ITransformedChunkStore
{
    /// <summary>An empty chunk to fill record by record and pass to <see cref="WriteAsync(ITransformedChunk, CancellationToken)"/>.</summary>
    ITransformedChunk Begin(Guid runId, int chunkNo, long snapshotId);

    /// <summary>Writes a chunk from <see cref="Begin"/>; false, writing nothing, when the run was cancelled or is already finalized.</summary>
    Task<bool> WriteAsync(ITransformedChunk chunk, CancellationToken cancellationToken);
}

/// <summary>
/// A chunk's transformed records as they are added, in line order: each candidate fact and each reject. What a
/// store keeps of a candidate is its own business (the PostgreSQL store encodes its COPY row at once and keeps no
/// object); the rejects, few, are kept as they are.
/// </summary>
public interface ITransformedChunk : IDisposable
{
    /// <summary>How many candidates were added.</summary>
    int Candidates { get; }

    IReadOnlyList<RejectedRow> Rejects { get; }

    void Accept(NormalizedSale sale);

    /// <summary>
    /// A candidate from its normalized values and its raw text as UTF-8 (a staged record's, read without a string per
    /// text): a store that encodes rows at once overrides it; by default the <see cref="NormalizedSale"/> is made.
    /// </summary>
    void Accept(long sourceLine, in SaleValues sale, bool firstOccurrence, ReadOnlySpan<byte> rawTextUtf8) =>
        Accept(new NormalizedSale(sourceLine, sale.TransactionId.ToString(), sale.CustomerId.IsEmpty ? null : sale.CustomerId.ToString(),
            sale.ProductId.ToString(), sale.SaleDateUtc, sale.Quantity, sale.TotalPrice, sale.Channel, sale.Flags,
            System.Text.Encoding.UTF8.GetString(rawTextUtf8), firstOccurrence));

    void Reject(RejectedRow reject);
}

/// <summary>Writing a chunk whose candidates and rejects are already in lists.</summary>
public static class TransformedChunkStores
{
    /// <summary>Writes the chunk; false, writing nothing, when the run was cancelled or is already finalized.</summary>
    public static async Task<bool> WriteAsync(
        this ITransformedChunkStore store, Guid runId, int chunkNo, long snapshotId,
        IReadOnlyList<NormalizedSale> candidates, IReadOnlyList<RejectedRow> rejects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(rejects);
        using var chunk = store.Begin(runId, chunkNo, snapshotId);
        foreach (var sale in candidates)
            chunk.Accept(sale);
        foreach (var reject in rejects)
            chunk.Reject(reject);
        return await store.WriteAsync(chunk, cancellationToken);
    }
}
