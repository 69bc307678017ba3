using SalesEtl.Data.Quality;
using SalesEtl.Pipeline.Quality;

namespace SalesEtl.MetricsLoader;

/// <summary>
/// Finishes a run's numbers (duplicates, metric tables, quality report) and purges a cancelled run:
/// PostgreSQL SQL (<see cref="RunFinalizer"/>) or its SQLite dialect in embedded mode.
/// </summary>
public interface IRunFinalizer
{
    /// <returns>Null when there is nothing to load: the run was cancelled meanwhile, or has succeeded already (a late redelivery).</returns>
    Task<RunTotals?> FinalizeAsync(Guid runId, long snapshotId, QualityOptions qualityOptions, CancellationToken cancellationToken);

    Task PurgeAsync(Guid runId, CancellationToken cancellationToken);
}
