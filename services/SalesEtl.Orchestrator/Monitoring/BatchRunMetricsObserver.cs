using MassTransit;
using SalesEtl.Contracts;
using SalesEtl.Data.Runs;
using SalesEtl.Orchestrator.StateMachines;

namespace SalesEtl.Orchestrator.Monitoring;

/// <summary>
/// Watches the <c>BatchRun</c> saga's transitions and records run and step metrics and one log line
/// per transition. It only reads the saga; the state machine's behaviour is unchanged. A transition
/// whose saga transaction is rolled back and retried is observed again (rare: lock or connection errors).
/// </summary>
public sealed class BatchRunMetricsObserver(BatchRunStateMachine machine, ILogger<BatchRunMetricsObserver> logger) : IStateObserver<BatchRunState>
{
    public Task StateChanged(BehaviorContext<BatchRunState> context, State currentState, State previousState)
    {
        var run = context.Saga;
        logger.LogInformation("Run {RunId} moved from {PreviousState} to {State}", run.CorrelationId, previousState?.Name, currentState.Name);

        if (Is(currentState, machine.Extracting) && (previousState is null || Is(previousState, machine.Initial)))
            OrchestratorMetrics.RunsStarted.Inc();

        if (previousState is not null && Is(previousState, machine.Extracting))
        {
            ObserveStep(OrchestratorMetrics.Steps.Ingest, run.SubmittedAt, run.IngestedAt);
            ObserveStep(OrchestratorMetrics.Steps.ProductSync, run.SubmittedAt, run.ProductsSyncedAt);
        }

        if (Is(currentState, machine.Loading))
            ObserveStep(OrchestratorMetrics.Steps.Transform, run.ProductsSyncedAt, run.TransformedAt);

        if (IsFinal(currentState))
        {
            var outcome = run.Outcome ?? RunOutcomes.Failed;
            OrchestratorMetrics.RunsFinished.WithLabels(outcome).Inc();
            if (outcome == RunOutcomes.Failed)
                OrchestratorMetrics.RunFailures.WithLabels(run.FailedStep ?? "unknown").Inc();
            if (run.CompletedAt is { } completed)
                OrchestratorMetrics.RunDuration.WithLabels(outcome).Observe(Seconds(run.SubmittedAt, completed));
            if (previousState is not null && Is(previousState, machine.Loading) && run.FailedStep != OrchestratorMetrics.Steps.Metrics)
                ObserveStep(OrchestratorMetrics.Steps.Metrics, run.TransformedAt, run.CompletedAt);
        }
        return Task.CompletedTask;
    }

    bool IsFinal(State state) => Is(state, machine.Succeeded) || Is(state, machine.SucceededWithWarnings) || Is(state, machine.Failed);

    static bool Is(State state, State other) => state.Name == other.Name;

    static void ObserveStep(string step, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is { } start && to is { } end)
            OrchestratorMetrics.StepDuration.WithLabels(step).Observe(Seconds(start, end));
    }

    static double Seconds(DateTimeOffset from, DateTimeOffset to) => Math.Max(0, (to - from).TotalSeconds);
}
