namespace SalesEtl.Contracts;

/// <summary>One chunk of the file is staged (claim check: the rows are in PostgreSQL, not here).</summary>
public sealed record SalesChunkStaged(Guid RunId, int ChunkNo, int RowCount, long FirstLine, long LastLine) : IChunkMessage;

/// <summary>The whole file is read and every chunk staged.</summary>
public sealed record SalesIngested(Guid RunId, int ChunkCount, long RowsRead, IReadOnlyList<string> ExtraColumns) : IRunMessage;

/// <summary>The file cannot be ingested at all (missing column, unreadable file); no row was loaded.</summary>
public sealed record SalesIngestFailed(Guid RunId, string Reason) : IRunMessage;

/// <summary>A product snapshot for the run is stored.</summary>
public sealed record ProductsSynced(Guid RunId, long SnapshotId, int ProductCount, int RejectedCount) : IRunMessage;

/// <summary>The product API could not be read, retries spent.</summary>
public sealed record ProductSyncFailed(Guid RunId, string Reason) : IRunMessage;

/// <summary>A chunk's rows are transformed into candidate facts and rejects.</summary>
public sealed record ChunkTransformed(Guid RunId, int ChunkNo, int RowsIn, int Candidates, int Rejected) : IChunkMessage;

/// <summary>Metrics and the quality report of the run are stored.</summary>
/// <param name="Outcome">One of <see cref="RunOutcomes"/>.</param>
public sealed record MetricsLoaded(Guid RunId, string Outcome, string? Reason, long RowsAccepted, long RowsRejected, long DuplicatesDropped) : IRunMessage;
