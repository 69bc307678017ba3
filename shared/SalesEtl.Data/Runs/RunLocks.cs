namespace SalesEtl.Data.Runs;

/// <summary>
/// A run's advisory lock, with <c>@run</c> bound. Finalizing (for its session, over several transactions), purging and
/// sweeping a run (for a transaction) take it exclusively and never interleave; transformers writing a chunk's rows take it shared, so that chunks are written side
/// by side but never while the run is being finalized or purged.
/// </summary>
public static class RunLocks
{
    public const string Exclusive = "SELECT pg_advisory_xact_lock(hashtextextended(@run::text, 0))";

    public const string Shared = "SELECT pg_advisory_xact_lock_shared(hashtextextended(@run::text, 0))";

    /// <summary>The same lock, exclusive, held by the session across transactions until <see cref="ReleaseForSession"/>.</summary>
    public const string ExclusiveForSession = "SELECT pg_advisory_lock(hashtextextended(@run::text, 0))";

    public const string ReleaseForSession = "SELECT pg_advisory_unlock(hashtextextended(@run::text, 0))";
}
