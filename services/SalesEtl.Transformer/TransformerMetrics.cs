using Prometheus;
using SalesEtl.Pipeline.Sales;
using SalesEtl.ServiceDefaults.Metrics;

namespace SalesEtl.Transformer;

static class TransformerMetrics
{
    public static readonly Counter ChunksTransformed = Metrics.CreateCounter("etl_chunks_transformed_total", "Chunks transformed.");
    public static readonly Counter Rows = Metrics.CreateCounter("etl_transformed_rows_total", "Rows transformed, by outcome: candidate (a fact unless a duplicate) or rejected.", "outcome");
    public static readonly Histogram ChunkDuration = Metrics.CreateHistogram("etl_chunk_transform_duration_seconds", "Time to transform one chunk.", EtlMetricBuckets.Short());

    public const string Candidate = "candidate";
    public const string Rejected = "rejected";

    /// <summary>The reasons a transformer decides (duplicate conflicts are decided over the whole run by the metrics-loader).</summary>
    static IEnumerable<string> ChunkRejectReasons => RejectReasons.All.Where(r => r != RejectReasons.DuplicateConflict);

    public static void Initialize()
    {
        ChunksTransformed.Inc(0);
        SharedMetrics.Initialize(Rows, [Candidate, Rejected]);
        SharedMetrics.Initialize(SharedMetrics.RejectedRows, ChunkRejectReasons);
    }
}
