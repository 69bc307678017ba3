using MassTransit;
using Microsoft.Extensions.Options;
using SalesEtl.Contracts;
using SalesEtl.Pipeline.Quality;
using SalesEtl.Pipeline.Sales;
using SalesEtl.ServiceDefaults;
using SalesEtl.ServiceDefaults.Metrics;

namespace SalesEtl.MetricsLoader.Consumers;

/// <summary>Resolves duplicates, loads the metric tables and the quality report of a run, and reports the outcome.</summary>
public sealed class LoadMetricsConsumer(IRunFinalizer finalizer, IOptions<QualityOptions> quality, ILogger<LoadMetricsConsumer> logger) : IConsumer<LoadMetrics>
{
    public async Task Consume(ConsumeContext<LoadMetrics> context)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var totals = await finalizer.FinalizeAsync(context.Message.RunId, context.Message.SnapshotId, quality.Value, context.CancellationToken);
        if (totals is null)
        {
            logger.LogInformation("The run was cancelled or has succeeded already; no metrics loaded");
            return;
        }
        var verdict = totals.Verdict;

        MetricsLoaderMetrics.Duration.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
        foreach (var timing in totals.Timings)
            MetricsLoaderMetrics.StepDuration.WithLabels(timing.Step).Observe(timing.Elapsed.TotalSeconds);
        logger.LogInformation("Metrics steps took {StepTimes}", string.Join(", ", totals.Timings));
        MetricsLoaderMetrics.Rows.WithLabels(MetricsLoaderMetrics.Accepted).Inc(totals.Facts.RowsAccepted);
        MetricsLoaderMetrics.Rows.WithLabels(MetricsLoaderMetrics.Rejected).Inc(totals.Facts.RowsRejected);
        MetricsLoaderMetrics.Rows.WithLabels(MetricsLoaderMetrics.Duplicate).Inc(totals.Facts.DuplicatesDropped);
        // The per-row reasons are counted by the transformers; only the whole run decides conflicting duplicates.
        SharedMetrics.RejectedRows.WithLabels(RejectReasons.DuplicateConflict).Inc(totals.RejectsByReason.GetValueOrDefault(RejectReasons.DuplicateConflict));
        foreach (var expectation in verdict.Expectations)
            MetricsLoaderMetrics.Expectations.WithLabels(expectation.Name, expectation.Passed ? MetricsLoaderMetrics.Passed : MetricsLoaderMetrics.Failed).Inc();
        logger.LogInformation("Metrics loaded: {Outcome}, {Accepted} accepted, {Rejected} rejected, {Duplicates} duplicates{Reason}",
            verdict.Outcome, totals.Facts.RowsAccepted, totals.Facts.RowsRejected, totals.Facts.DuplicatesDropped,
            verdict.Reason is null ? "" : $" ({verdict.Reason})");

        await context.Publish(new MetricsLoaded(context.Message.RunId, verdict.Outcome, verdict.Reason,
            totals.Facts.RowsAccepted, totals.Facts.RowsRejected, totals.Facts.DuplicatesDropped), context.CancellationToken);
    }
}

public sealed class LoadMetricsConsumerDefinition() : EtlConsumerDefinition<LoadMetricsConsumer>(concurrentMessageLimit: 2);

/// <summary>Deletes a cancelled run's rows.</summary>
public sealed class PurgeRunResultsConsumer(IRunFinalizer finalizer, ILogger<PurgeRunResultsConsumer> logger) : IConsumer<PurgeRunResults>
{
    public async Task Consume(ConsumeContext<PurgeRunResults> context)
    {
        await finalizer.PurgeAsync(context.Message.RunId, context.CancellationToken);
        logger.LogInformation("Purged the run's rows");
        await context.Publish(new RunResultsPurged(context.Message.RunId), context.CancellationToken);
    }
}

public sealed class PurgeRunResultsConsumerDefinition() : EtlConsumerDefinition<PurgeRunResultsConsumer>(concurrentMessageLimit: 2);
