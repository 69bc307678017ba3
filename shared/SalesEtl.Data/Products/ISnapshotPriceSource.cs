namespace SalesEtl.Data.Products;

/// <summary>The base prices of the products of one snapshot (PostgreSQL: <see cref="SnapshotPrices"/>; SQLite in embedded mode).</summary>
public interface ISnapshotPriceSource
{
    Task<IReadOnlyDictionary<string, decimal>> LoadAsync(long snapshotId, CancellationToken cancellationToken);
}
