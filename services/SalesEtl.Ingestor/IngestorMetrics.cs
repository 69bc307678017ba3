using Prometheus;
using SalesEtl.ServiceDefaults.Metrics;

namespace SalesEtl.Ingestor;

static class IngestorMetrics
{
    public static readonly Counter ChunksStaged = Metrics.CreateCounter("etl_chunks_staged_total", "Chunks of sales rows staged in PostgreSQL.");
    public static readonly Counter RowsStaged = Metrics.CreateCounter("etl_rows_staged_total", "Sales rows read from files and staged.");
    public static readonly Histogram ChunkStageDuration = Metrics.CreateHistogram("etl_chunk_stage_duration_seconds", "Time to stage one chunk (COPY and commit).", EtlMetricBuckets.Short());
    public static readonly Counter Files = Metrics.CreateCounter("etl_files_ingested_total", "Sales files ingested, by result (ingested, or failed: missing column, unreadable or missing file).", "result");

    public const string Ingested = "ingested";
    public const string Failed = "failed";

    public static void Initialize()
    {
        ChunksStaged.Inc(0);
        RowsStaged.Inc(0);
        SharedMetrics.Initialize(Files, [Ingested, Failed]);
    }
}
