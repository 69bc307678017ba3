using Prometheus;

namespace SalesEtl.MetricsLoader;

static class MetricsLoaderMetrics
{
    public static readonly Histogram Duration = Metrics.CreateHistogram("etl_metrics_load_duration_seconds", "Time to resolve duplicates and load the metric tables of a run.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.05, 2, 12) });
    public static readonly Counter Rows = Metrics.CreateCounter("etl_rows_total", "Rows of finished runs, by final outcome.", "outcome");
    public static readonly Counter Expectations = Metrics.CreateCounter("etl_quality_expectations_total", "Data quality expectation results.", "expectation", "result");
}
