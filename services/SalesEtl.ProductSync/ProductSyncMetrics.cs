using Prometheus;

namespace SalesEtl.ProductSync;

/// <summary>The product-sync metrics on <c>/metrics</c>; label values are the constants below.</summary>
public static class ProductSyncMetrics
{
    /// <summary>One per HTTP attempt (a retried request counts each attempt).</summary>
    public static readonly Counter ApiRequests = WithSeries(
        Metrics.CreateCounter(
            "etl_product_api_requests_total",
            "Requests (HTTP attempts) to the product API, by outcome.",
            new CounterConfiguration { LabelNames = ["outcome"] }),
        Outcome.Success, Outcome.ClientError, Outcome.ServerError, Outcome.RateLimited, Outcome.Timeout, Outcome.NetworkError);

    public static readonly Histogram ApiRequestDuration = Metrics.CreateHistogram(
        "etl_product_api_request_duration_seconds",
        "Duration of one HTTP attempt to the product API.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });

    /// <summary>HTTP retries by the resilience pipeline and re-reads of unreadable pages.</summary>
    public static readonly Counter Retries = Metrics.CreateCounter(
        "etl_product_sync_retries_total",
        "Retries of product API requests (HTTP retries and re-reads of unreadable pages).");

    /// <summary>Items of the stored snapshots, by what became of them.</summary>
    public static readonly Counter ProductsSynced = WithSeries(
        Metrics.CreateCounter(
            "etl_products_synced_total",
            "Product items synced into snapshots, by result.",
            new CounterConfiguration { LabelNames = ["result"] }),
        Result.Accepted, Result.Rejected, Result.Duplicate);

    // Every known series is exported from the start (at 0), so that rate() and alerts see it before the first event.
    static Counter WithSeries(Counter counter, params string[] labelValues)
    {
        foreach (var value in labelValues)
            counter.WithLabels(value);
        return counter;
    }

    /// <summary>Creates the series of every known label value at zero, so that rates and alerts see them before the first sync.</summary>
    public static void Initialize()
    {
        Retries.Inc(0);
        foreach (var outcome in new[] { Outcome.Success, Outcome.ClientError, Outcome.ServerError, Outcome.RateLimited, Outcome.Timeout, Outcome.NetworkError })
            ApiRequests.WithLabels(outcome);
        foreach (var result in new[] { Result.Accepted, Result.Rejected, Result.Duplicate })
            ProductsSynced.WithLabels(result);
    }

    public static class Outcome
    {
        public const string Success = "success";
        public const string ClientError = "client_error";
        public const string ServerError = "server_error";
        public const string RateLimited = "rate_limited";
        public const string Timeout = "timeout";
        public const string NetworkError = "network_error";
    }

    public static class Result
    {
        public const string Accepted = "accepted";
        public const string Rejected = "rejected";
        public const string Duplicate = "duplicate";
    }
}
