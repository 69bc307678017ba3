using Prometheus;

namespace SalesEtl.ServiceDefaults.Metrics;

/// <summary>Histogram buckets shared by the services' duration metrics (all in seconds).</summary>
public static class EtlMetricBuckets
{
    /// <summary>Work on one chunk or one HTTP call: 5 ms to about 2.7 min.</summary>
    public static double[] ShortSeconds { get; } = Histogram.ExponentialBuckets(0.005, 2, 16);

    /// <summary>Steps and whole runs: 0.1 s to about 3.6 h.</summary>
    public static double[] LongSeconds { get; } = Histogram.ExponentialBuckets(0.1, 2, 18);

    public static HistogramConfiguration Short(params string[] labelNames) => new() { Buckets = ShortSeconds, LabelNames = labelNames };

    public static HistogramConfiguration Long(params string[] labelNames) => new() { Buckets = LongSeconds, LabelNames = labelNames };
}
