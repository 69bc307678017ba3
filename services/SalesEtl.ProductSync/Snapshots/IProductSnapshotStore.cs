namespace SalesEtl.ProductSync.Snapshots;

/// <summary>
/// Stores a sync as a versioned product snapshot: PostgreSQL (<see cref="ProductSnapshotStore"/>: advisory lock, COPY,
/// set-based diff) or SQLite in embedded mode. Saving a run that has a snapshot already returns that one.
/// </summary>
public interface IProductSnapshotStore
{
    /// <summary>The snapshot already stored for a run, if any (a redelivered <c>SyncProducts</c>).</summary>
    Task<StoredSnapshot?> FindByRunAsync(Guid runId, CancellationToken cancellationToken);

    Task<StoredSnapshot> SaveAsync(Guid runId, string sourceUrl, ProductSyncBatch batch, CancellationToken cancellationToken);
}
