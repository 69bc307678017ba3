using Prometheus;
using SalesEtl.Data.Quality;
using SalesEtl.Pipeline.Quality;
using SalesEtl.ServiceDefaults.Metrics;

namespace SalesEtl.MetricsLoader;

static class MetricsLoaderMetrics
{
    public static readonly Histogram Duration = Metrics.CreateHistogram("etl_metrics_load_duration_seconds", "Time to resolve duplicates and load the metric tables of a run.", EtlMetricBuckets.Long());
    public static readonly Histogram StepDuration = Metrics.CreateHistogram("etl_metrics_load_step_duration_seconds", "Time of each step of loading a run's metrics (duplicate resolution, facts, each metric table, the quality report).", EtlMetricBuckets.Long("step"));
    public static readonly Counter Rows = Metrics.CreateCounter("etl_rows_total", "Rows of finished runs, by final outcome.", "outcome");
    public static readonly Counter Expectations = Metrics.CreateCounter("etl_quality_expectations_total", "Data quality expectation results, by expectation and result.", "expectation", "result");

    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string Duplicate = "duplicate";
    public const string Passed = "passed";
    public const string Failed = "failed";

    public static void Initialize()
    {
        SharedMetrics.Initialize(Rows, [Accepted, Rejected, Duplicate]);
        foreach (var step in FinalizationSteps.All)
            StepDuration.WithLabels(step);
        // The expectations' names, from the evaluator itself (judging an empty run).
        var zero = new QualityFacts(0, 0, 0, 0, 0, 0, 0m, 0m, 0m);
        foreach (var expectation in QualityEvaluator.Evaluate(zero, new QualityOptions()).Expectations)
        {
            Expectations.WithLabels(expectation.Name, Passed);
            Expectations.WithLabels(expectation.Name, Failed);
        }
    }
}
