using Prometheus;

namespace SalesEtl.ServiceDefaults.Metrics;

/// <summary>Metrics that more than one service records (each from its own part of the work), defined once.</summary>
public static class SharedMetrics
{
    /// <summary>
    /// Rejected rows by reason code: the transformer counts the per-row rules as it goes, the
    /// metrics-loader counts <c>duplicate_conflict</c>, which only the whole run can decide.
    /// </summary>
    public static readonly Counter RejectedRows = Prometheus.Metrics.CreateCounter(
        "etl_rejected_rows_total", "Rows rejected, by reason code.", new CounterConfiguration { LabelNames = ["reason"] });

    /// <summary>Creates the series of every known label value at zero, so that rates and alerts see them before the first event.</summary>
    public static void Initialize(Counter counter, IEnumerable<string> labelValues)
    {
        foreach (var value in labelValues)
            counter.WithLabels(value);
    }
}
