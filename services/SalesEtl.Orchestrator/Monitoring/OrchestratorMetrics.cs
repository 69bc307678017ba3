using Prometheus;
using SalesEtl.Contracts;
using SalesEtl.ServiceDefaults.Metrics;

namespace SalesEtl.Orchestrator.Monitoring;

/// <summary>What the orchestrator knows about runs: starts, outcomes, step and run durations, and what is in flight.</summary>
public static class OrchestratorMetrics
{
    /// <summary>Step names, the same words as the failed step of a run (<c>batch_runs.failed_step</c>).</summary>
    public static class Steps
    {
        public const string Ingest = "ingest";
        public const string ProductSync = "product-sync";
        public const string Transform = "transform";
        public const string Metrics = "metrics";
        public const string Quality = "quality";

        public static IReadOnlyList<string> All { get; } = [Ingest, ProductSync, Transform, Metrics, Quality];
    }

    public static readonly Counter RunsStarted = Prometheus.Metrics.CreateCounter(
        "etl_runs_started_total", "Runs submitted to the orchestrator.");

    public static readonly Counter RunsFinished = Prometheus.Metrics.CreateCounter(
        "etl_runs_total", "Finished runs, by outcome.", new CounterConfiguration { LabelNames = ["outcome"] });

    public static readonly Counter RunFailures = Prometheus.Metrics.CreateCounter(
        "etl_run_failures_total", "Failed runs, by the step that failed.", new CounterConfiguration { LabelNames = ["step"] });

    public static readonly Histogram RunDuration = Prometheus.Metrics.CreateHistogram(
        "etl_run_duration_seconds", "Time from a run's submission to its final state, by outcome.", EtlMetricBuckets.Long("outcome"));

    /// <summary>
    /// ingest and product-sync: from submission to the step's completion event; transform: from the
    /// product snapshot (when chunks can first be transformed) to the last chunk transformed;
    /// metrics: from the last chunk transformed to the metrics loaded.
    /// </summary>
    public static readonly Histogram StepDuration = Prometheus.Metrics.CreateHistogram(
        "etl_step_duration_seconds", "Duration of a run's step, by step.", EtlMetricBuckets.Long("step"));

    public static readonly Gauge RunsInProgress = Prometheus.Metrics.CreateGauge(
        "etl_runs_in_progress", "Runs not yet finished, by saga state.", new GaugeConfiguration { LabelNames = ["state"] });

    public static readonly Gauge StagingBacklog = Prometheus.Metrics.CreateGauge(
        "etl_staging_backlog_chunks", "Chunks staged but not yet transformed, over the runs in flight.");

    public static readonly Gauge LastProgressAge = Prometheus.Metrics.CreateGauge(
        "etl_run_last_progress_age_seconds", "Seconds since the least recently progressed run in flight last progressed (0 when none is in flight).");

    /// <summary>Creates every series at zero, so that rates and alerts see them before the first run.</summary>
    public static void Initialize()
    {
        RunsStarted.Inc(0);
        SharedMetrics.Initialize(RunsFinished, [RunOutcomes.Succeeded, RunOutcomes.SucceededWithWarnings, RunOutcomes.Failed]);
        SharedMetrics.Initialize(RunFailures, Steps.All);
        foreach (var outcome in new[] { RunOutcomes.Succeeded, RunOutcomes.SucceededWithWarnings, RunOutcomes.Failed })
            RunDuration.WithLabels(outcome);
        foreach (var step in new[] { Steps.Ingest, Steps.ProductSync, Steps.Transform, Steps.Metrics })
            StepDuration.WithLabels(step);
        StagingBacklog.Set(0);
        LastProgressAge.Set(0);
    }
}
