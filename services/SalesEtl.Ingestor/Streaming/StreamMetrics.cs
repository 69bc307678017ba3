using Prometheus;

namespace SalesEtl.Ingestor.Streaming;

static class StreamMetrics
{
    public static readonly Counter EventsReceived = Metrics.CreateCounter("etl_stream_events_received_total", "Sale events delivered to the ingestor (redeliveries included).");
    public static readonly Counter EventsDuplicate = Metrics.CreateCounter("etl_stream_events_duplicate_total", "Sale events dropped because their event id was seen before.");
    public static readonly Counter WindowsClosed = Metrics.CreateCounter("etl_stream_windows_closed_total", "Stream windows closed, each one run.", "reason");
    public static readonly Counter TransactionsDroppedAcrossWindows = Metrics.CreateCounter("etl_stream_transactions_dropped_total", "Events dropped because an earlier window counted their transaction id.");
    public static readonly Gauge OpenWindowEvents = Metrics.CreateGauge("etl_stream_open_window_events", "Events waiting in the open window.");

    public static void Initialize()
    {
        EventsReceived.Inc(0);
        EventsDuplicate.Inc(0);
        TransactionsDroppedAcrossWindows.Inc(0);
        foreach (var reason in new[] { "count", "time", "forced" })
            WindowsClosed.WithLabels(reason).Inc(0);
    }
}
