namespace SalesEtl.Data.Runs;

/// <summary>
/// A run's transaction-level advisory lock, with <c>@run</c> bound. Finalizing, purging and sweeping a run take it
/// exclusively and never interleave; transformers writing a chunk's rows take it shared, so that chunks are written side
/// by side but never while the run is being finalized or purged.
/// </summary>
public static class RunLocks
{
    public const string Exclusive = "SELECT pg_advisory_xact_lock(hashtextextended(@run::text, 0))";

    public const string Shared = "SELECT pg_advisory_xact_lock_shared(hashtextextended(@run::text, 0))";
}
