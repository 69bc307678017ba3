namespace SalesEtl.Contracts;

/// <summary>Asks for a batch run of one sales file against one product snapshot. Starts the <c>BatchRun</c> saga.</summary>
/// <param name="RunId">Chosen by the caller so that it can follow the run; also the saga's correlation id.</param>
/// <param name="SourcePath">Path of the sales CSV as the ingestor sees it (shared storage).</param>
/// <param name="AsOf">The run's as-of time: sale dates later than this + 24 h are rejected.</param>
/// <param name="ProductsUrl">Base URL of the product API; null means the configured default.</param>
/// <param name="ChunkSize">Rows per staged chunk; null means the configured default.</param>
public sealed record StartBatchRun(
    Guid RunId,
    string SourcePath,
    DateTimeOffset AsOf,
    string? ProductsUrl,
    int? ChunkSize,
    DateTimeOffset RequestedAt) : IRunMessage;

/// <summary>Command to the ingestor: stream the file and stage it in chunks.</summary>
public sealed record IngestSales(Guid RunId, string SourcePath, int ChunkSize) : IRunMessage;

/// <summary>Command to product-sync: take a product snapshot for the run.</summary>
public sealed record SyncProducts(Guid RunId, string? ProductsUrl) : IRunMessage;

/// <summary>Command to a transformer: clean, enrich and flag one staged chunk.</summary>
public sealed record TransformChunk(Guid RunId, int ChunkNo, long SnapshotId, DateTimeOffset AsOf) : IChunkMessage;

/// <summary>Command to the metrics-loader: resolve duplicates, compute the metric tables and the quality report.</summary>
public sealed record LoadMetrics(Guid RunId, long SnapshotId) : IRunMessage;
