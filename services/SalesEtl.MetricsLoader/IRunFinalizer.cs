using SalesEtl.Data.Quality;
using SalesEtl.Pipeline.Quality;

namespace SalesEtl.MetricsLoader;

/// <summary>
/// Finishes a run's numbers (duplicates, metric tables, quality report) and purges a cancelled run:
/// PostgreSQL SQL (<see cref="RunFinalizer"/>) or its SQLite dialect in embedded mode.
/// </summary>
public interface IRunFinalizer
{
    /// <returns>Null when the run was cancelled meanwhile.</returns>
    Task<RunTotals?> FinalizeAsync(Guid runId, long snapshotId, QualityOptions qualityOptions, CancellationToken cancellationToken);

    Task PurgeAsync(Guid runId, CancellationToken cancellationToken);
}
