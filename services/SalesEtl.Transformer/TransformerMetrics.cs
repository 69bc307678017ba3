using Prometheus;

namespace SalesEtl.Transformer;

static class TransformerMetrics
{
    public static readonly Counter ChunksTransformed = Metrics.CreateCounter("etl_chunks_transformed_total", "Chunks transformed.");
    public static readonly Counter Rows = Metrics.CreateCounter("etl_transformed_rows_total", "Rows transformed, by outcome.", "outcome");
    public static readonly Counter Rejects = Metrics.CreateCounter("etl_rejected_rows_total", "Rows rejected by a transformer, by reason code.", "reason");
    public static readonly Histogram ChunkDuration = Metrics.CreateHistogram("etl_chunk_transform_duration_seconds", "Time to transform one chunk.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 14) });
}
