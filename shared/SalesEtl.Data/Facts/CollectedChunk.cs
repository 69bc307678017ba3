using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Data.Facts;

/// <summary>A transformed chunk kept as lists: for a store that writes row by row, and for tests.</summary>
public sealed class CollectedChunk(Guid runId, int chunkNo, long snapshotId) : ITransformedChunk
{
    readonly List<NormalizedSale> candidates = [];
    readonly List<RejectedRow> rejects = [];

    public Guid RunId => runId;

    public int ChunkNo => chunkNo;

    public long SnapshotId => snapshotId;

    public IReadOnlyList<NormalizedSale> CandidateSales => candidates;

    public int Candidates => candidates.Count;

    public IReadOnlyList<RejectedRow> Rejects => rejects;

    public void Accept(NormalizedSale sale)
    {
        ArgumentNullException.ThrowIfNull(sale);
        candidates.Add(sale);
    }

    public void Reject(RejectedRow reject)
    {
        ArgumentNullException.ThrowIfNull(reject);
        rejects.Add(reject);
    }

    public void Dispose()
    {
    }
}
