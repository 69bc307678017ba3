using MassTransit;
using Microsoft.Extensions.Options;
using SalesEtl.Contracts;
using SalesEtl.Data.Runs;

namespace SalesEtl.Orchestrator.StateMachines;

/// <summary>
/// Coordinates one batch run: ingest and product sync in parallel, each staged chunk transformed as
/// soon as both it and the product snapshot exist, metrics once every chunk is transformed.
/// Chunk events are kept as sets, so a redelivered event counts once. A failed run keeps recording
/// the progress that still arrives (a redriven dead letter, a slow worker), so that
/// <see cref="RetryBatchRun"/> resumes from what is missing; a stalled step is re-driven a bounded
/// number of times; a cancelled run is purged.
/// </summary>
public sealed class BatchRunStateMachine : MassTransitStateMachine<BatchRunState>
{
    public const int DefaultChunkSize = 50_000;

    readonly OrchestratorOptions options;

    public State Extracting { get; private set; } = null!;
    public State Transforming { get; private set; } = null!;
    public State Loading { get; private set; } = null!;
    public State Succeeded { get; private set; } = null!;
    public State SucceededWithWarnings { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<StartBatchRun> RunRequested { get; private set; } = null!;
    public Event<StartStreamWindowRun> StreamWindowRequested { get; private set; } = null!;
    public Event<SalesChunkStaged> ChunkStaged { get; private set; } = null!;
    public Event<SalesIngested> SalesIngested { get; private set; } = null!;
    public Event<SalesIngestFailed> IngestFailed { get; private set; } = null!;
    public Event<ProductsSynced> ProductsSynced { get; private set; } = null!;
    public Event<ProductSyncFailed> ProductSyncFailed { get; private set; } = null!;
    public Event<ChunkTransformed> ChunkTransformed { get; private set; } = null!;
    public Event<MetricsLoaded> MetricsLoaded { get; private set; } = null!;
    public Event<Fault<IngestSales>> IngestFaulted { get; private set; } = null!;
    public Event<Fault<SyncProducts>> ProductSyncFaulted { get; private set; } = null!;
    public Event<Fault<TransformChunk>> TransformFaulted { get; private set; } = null!;
    public Event<Fault<LoadMetrics>> LoadFaulted { get; private set; } = null!;
    public Event<CancelBatchRun> CancelRequested { get; private set; } = null!;
    public Event<RetryBatchRun> RetryRequested { get; private set; } = null!;
    public Event<BatchRunStepTimedOut> StepTimedOut { get; private set; } = null!;

    public BatchRunStateMachine(IOptions<OrchestratorOptions> options)
    {
        this.options = options.Value;
        InstanceState(run => run.CurrentState);

        Event(() => RunRequested, e => e.CorrelateById(m => m.Message.RunId));
        Event(() => StreamWindowRequested, e => e.CorrelateById(m => m.Message.RunId));
        CorrelateStepEvent(() => ChunkStaged);
        CorrelateStepEvent(() => SalesIngested);
        CorrelateStepEvent(() => IngestFailed);
        CorrelateStepEvent(() => ProductsSynced);
        CorrelateStepEvent(() => ProductSyncFailed);
        CorrelateStepEvent(() => ChunkTransformed);
        CorrelateStepEvent(() => MetricsLoaded);
        CorrelateFault(() => IngestFaulted);
        CorrelateFault(() => ProductSyncFaulted);
        CorrelateFault(() => TransformFaulted);
        CorrelateFault(() => LoadFaulted);
        CorrelateControl(() => CancelRequested);
        CorrelateControl(() => RetryRequested);
        CorrelateControl(() => StepTimedOut);

        Initially(
            When(RunRequested)
                .Then(context => Submit(context.Saga, context.Message))
                .Publish(context => new IngestSales(context.Saga.CorrelationId, context.Saga.SourcePath, context.Saga.ChunkSize))
                .Publish(context => new SyncProducts(context.Saga.CorrelationId, context.Saga.ProductsUrl))
                .TransitionTo(Extracting),
            // A stream window's rows are staged already (docs/STREAMING.md): ingest is done, only products are missing.
            When(StreamWindowRequested)
                .Then(context => SubmitWindow(context.Saga, context.Message))
                .Publish(context => new SyncProducts(context.Saga.CorrelationId, context.Saga.ProductsUrl))
                .TransitionTo(Extracting));

        During(Extracting, Transforming,
            When(ChunkStaged).ThenAsync(context => OnChunkStagedAsync(context, dispatch: true)).ThenAsync(AdvanceAsync),
            When(SalesIngested).Then(context => OnIngested(context.Saga, context.Message)).ThenAsync(AdvanceAsync),
            When(ProductsSynced).ThenAsync(context => OnProductsSyncedAsync(context, dispatch: true)).ThenAsync(AdvanceAsync),
            When(ChunkTransformed).Then(context => OnChunkTransformed(context.Saga, context.Message)).ThenAsync(AdvanceAsync),
            When(IngestFailed).ThenAsync(context => FailAsync(context, "ingest", context.Message.Reason)).TransitionTo(Failed),
            When(ProductSyncFailed).ThenAsync(context => FailAsync(context, "product-sync", context.Message.Reason)).TransitionTo(Failed),
            When(IngestFaulted).ThenAsync(context => FailAsync(context, "ingest", Describe(context.Message))).TransitionTo(Failed),
            When(ProductSyncFaulted).ThenAsync(context => FailAsync(context, "product-sync", Describe(context.Message))).TransitionTo(Failed),
            When(TransformFaulted)
                .ThenAsync(context => FailAsync(context, "transform", $"chunk {context.Message.Message.ChunkNo}: {Describe(context.Message)}"))
                .TransitionTo(Failed),
            Ignore(MetricsLoaded),
            Ignore(LoadFaulted));

        During(Loading,
            When(MetricsLoaded)
                .Then(context => Complete(context.Saga, context.Message))
                .IfElse(context => context.Message.Outcome == RunOutcomes.Failed,
                    failed => failed
                        .ThenAsync(context => FailAsync(context, "quality", context.Message.Reason ?? "a blocking data quality expectation failed"))
                        .TransitionTo(Failed),
                    done => done
                        .IfElse(context => context.Message.Outcome == RunOutcomes.SucceededWithWarnings,
                            warned => warned.TransitionTo(SucceededWithWarnings),
                            succeeded => succeeded.TransitionTo(Succeeded))
                        .Publish(context => new BatchRunCompleted(context.Saga.CorrelationId, context.Message.Outcome,
                            context.Saga.RowsRead ?? 0, context.Message.RowsAccepted, context.Message.RowsRejected, context.Message.DuplicatesDropped))),
            When(LoadFaulted).ThenAsync(context => FailAsync(context, "metrics", Describe(context.Message))).TransitionTo(Failed),
            Ignore(ChunkStaged), Ignore(SalesIngested), Ignore(ProductsSynced), Ignore(ChunkTransformed),
            Ignore(IngestFailed), Ignore(ProductSyncFailed), Ignore(IngestFaulted), Ignore(ProductSyncFaulted), Ignore(TransformFaulted));

        During(Extracting, Transforming, Loading,
            Ignore(RunRequested),
            Ignore(StreamWindowRequested),
            Ignore(RetryRequested),
            When(StepTimedOut)
                .If(context => context.Saga.StepDeadline == context.Message.Deadline, // else progress was made after the monitor looked
                    stalled => stalled.ThenAsync(OnStalledAsync)),
            When(CancelRequested).ThenAsync(CancelAsync).TransitionTo(Cancelled));

        // A failed run still records progress, so that a retry (or a redriven dead letter) does only what is missing.
        During(Failed,
            When(ChunkStaged).ThenAsync(context => OnChunkStagedAsync(context, dispatch: false)),
            When(SalesIngested).Then(context => OnIngested(context.Saga, context.Message)),
            When(ProductsSynced).ThenAsync(context => OnProductsSyncedAsync(context, dispatch: false)),
            When(ChunkTransformed).Then(context => OnChunkTransformed(context.Saga, context.Message)),
            When(RetryRequested).ThenAsync(ResumeAsync),
            When(CancelRequested).ThenAsync(CancelAsync).TransitionTo(Cancelled),
            Ignore(RunRequested), Ignore(StreamWindowRequested), Ignore(MetricsLoaded), Ignore(IngestFailed), Ignore(ProductSyncFailed),
            Ignore(IngestFaulted), Ignore(ProductSyncFaulted), Ignore(TransformFaulted), Ignore(LoadFaulted), Ignore(StepTimedOut));

        // Finished runs ignore whatever still arrives for them (redeliveries, late duplicates, a cancel after success).
        During(Succeeded, SucceededWithWarnings, Cancelled,
            Ignore(RunRequested), Ignore(StreamWindowRequested), Ignore(ChunkStaged), Ignore(SalesIngested), Ignore(IngestFailed),
            Ignore(ProductsSynced), Ignore(ProductSyncFailed), Ignore(ChunkTransformed), Ignore(MetricsLoaded),
            Ignore(IngestFaulted), Ignore(ProductSyncFaulted), Ignore(TransformFaulted), Ignore(LoadFaulted),
            Ignore(CancelRequested), Ignore(RetryRequested), Ignore(StepTimedOut));
    }

    void CorrelateStepEvent<T>(System.Linq.Expressions.Expression<Func<Event<T>>> selector)
        where T : class, IRunMessage =>
        Event(selector, e =>
        {
            e.CorrelateById(m => m.Message.RunId);
            // Step events can only follow the run request; if the row is not visible yet, fault and retry.
            e.OnMissingInstance(m => m.Fault());
        });

    void CorrelateControl<T>(System.Linq.Expressions.Expression<Func<Event<T>>> selector)
        where T : class, IRunMessage =>
        Event(selector, e =>
        {
            e.CorrelateById(m => m.Message.RunId);
            e.OnMissingInstance(m => m.Discard());
        });

    void CorrelateFault<T>(System.Linq.Expressions.Expression<Func<Event<Fault<T>>>> selector)
        where T : class, IRunMessage =>
        Event(selector, e =>
        {
            e.CorrelateById(m => m.Message.Message.RunId);
            e.OnMissingInstance(m => m.Discard());
        });

    void Submit(BatchRunState run, StartBatchRun request)
    {
        run.SourcePath = request.SourcePath;
        run.AsOf = request.AsOf.ToUniversalTime();
        run.ProductsUrl = request.ProductsUrl;
        run.ChunkSize = request.ChunkSize is > 0 ? request.ChunkSize.Value : DefaultChunkSize;
        run.SubmittedAt = request.RequestedAt.ToUniversalTime();
        Touch(run);
    }

    void SubmitWindow(BatchRunState run, StartStreamWindowRun request)
    {
        run.SourcePath = $"stream:window-{request.WindowNo}";
        run.AsOf = request.AsOf.ToUniversalTime();
        run.ProductsUrl = request.ProductsUrl;
        run.ChunkSize = DefaultChunkSize;
        run.SubmittedAt = request.RequestedAt.ToUniversalTime();
        run.TotalChunks = request.ChunkCount;
        run.RowsRead = request.RowsRead;
        run.StagedChunks = [.. Enumerable.Range(1, request.ChunkCount)];
        run.IngestedAt = run.SubmittedAt;
        Touch(run);
    }

    static async Task OnChunkStagedAsync(BehaviorContext<BatchRunState, SalesChunkStaged> context, bool dispatch)
    {
        var run = context.Saga;
        if (run.StagedChunks.Contains(context.Message.ChunkNo))
            return;
        run.StagedChunks = [.. run.StagedChunks, context.Message.ChunkNo];
        if (dispatch && run.SnapshotId is { } snapshotId)
            await context.Publish(new TransformChunk(run.CorrelationId, context.Message.ChunkNo, snapshotId, run.AsOf));
    }

    static void OnIngested(BatchRunState run, SalesIngested ingested)
    {
        run.TotalChunks ??= ingested.ChunkCount;
        run.RowsRead ??= ingested.RowsRead;
        run.IngestedAt ??= DateTimeOffset.UtcNow;
    }

    static async Task OnProductsSyncedAsync(BehaviorContext<BatchRunState, ProductsSynced> context, bool dispatch)
    {
        var run = context.Saga;
        if (run.SnapshotId is not null)
            return;
        run.SnapshotId = context.Message.SnapshotId;
        run.ProductsSyncedAt = DateTimeOffset.UtcNow;
        if (!dispatch)
            return;
        foreach (var chunkNo in run.StagedChunks.Order())
            await context.Publish(new TransformChunk(run.CorrelationId, chunkNo, context.Message.SnapshotId, run.AsOf));
    }

    static void OnChunkTransformed(BatchRunState run, ChunkTransformed transformed)
    {
        if (run.TransformedChunks.Contains(transformed.ChunkNo))
            return;
        run.TransformedChunks = [.. run.TransformedChunks, transformed.ChunkNo];
        run.RowsTransformed += transformed.RowsIn;
    }

    /// <summary>Progress was made: moves the run on once both extract steps are done, and to loading once every chunk is transformed.</summary>
    async Task AdvanceAsync(BehaviorContext<BatchRunState> context)
    {
        var run = context.Saga;
        Touch(run);
        run.StallRedrives = 0;
        if (run.TotalChunks is not { } total || run.SnapshotId is not { } snapshotId)
            return;

        if (run.TransformedChunks.Count >= total)
        {
            run.TransformedAt = DateTimeOffset.UtcNow;
            await context.TransitionToState(Loading);
            await context.Publish(new LoadMetrics(run.CorrelationId, snapshotId));
        }
        else if (run.CurrentState != Transforming.Name)
        {
            await context.TransitionToState(Transforming);
        }
    }

    /// <summary>Sends again every command whose work is not done yet, and moves the run to the state that work belongs to.</summary>
    async Task RedispatchPendingAsync(BehaviorContext<BatchRunState> context)
    {
        var run = context.Saga;
        if (run.TotalChunks is null || run.SnapshotId is null)
        {
            await context.TransitionToState(Extracting);
            if (run.TotalChunks is null)
                await context.Publish(new IngestSales(run.CorrelationId, run.SourcePath, run.ChunkSize));
            if (run.SnapshotId is null)
                await context.Publish(new SyncProducts(run.CorrelationId, run.ProductsUrl));
        }
        else if (run.TransformedChunks.Count < run.TotalChunks)
        {
            await context.TransitionToState(Transforming);
        }
        else
        {
            await context.TransitionToState(Loading);
            await context.Publish(new LoadMetrics(run.CorrelationId, run.SnapshotId.Value));
            return;
        }

        if (run.SnapshotId is { } snapshotId)
        {
            foreach (var chunkNo in run.StagedChunks.Except(run.TransformedChunks).Order())
                await context.Publish(new TransformChunk(run.CorrelationId, chunkNo, snapshotId, run.AsOf));
        }
    }

    async Task OnStalledAsync(BehaviorContext<BatchRunState, BatchRunStepTimedOut> context)
    {
        var run = context.Saga;
        if (run.StallRedrives >= options.MaxStallRedrives)
        {
            await FailAsync(context, StepOf(run), $"no progress for {options.StepTimeout.TotalSeconds:0} s after {run.StallRedrives} re-drive(s) of the step");
            await context.TransitionToState(Failed);
            return;
        }
        run.StallRedrives++;
        Touch(run);
        await RedispatchPendingAsync(context);
    }

    async Task ResumeAsync(BehaviorContext<BatchRunState, RetryBatchRun> context)
    {
        var run = context.Saga;
        run.Retries++;
        run.Outcome = null;
        run.FailedStep = null;
        run.FailureReason = null;
        run.CompletedAt = null;
        run.StallRedrives = 0;
        Touch(run);
        await RedispatchPendingAsync(context);
    }

    static async Task CancelAsync(BehaviorContext<BatchRunState, CancelBatchRun> context)
    {
        var run = context.Saga;
        run.Outcome = "cancelled";
        run.FailedStep ??= StepOf(run);
        run.FailureReason = context.Message.Reason;
        run.CompletedAt = DateTimeOffset.UtcNow;
        run.UpdatedAt = run.CompletedAt.Value;
        run.StepDeadline = null;
        await context.Publish(new PurgeRunResults(run.CorrelationId));
    }

    static async Task FailAsync(BehaviorContext<BatchRunState> context, string step, string reason)
    {
        var run = context.Saga;
        run.Outcome = RunOutcomes.Failed;
        run.FailedStep = step;
        run.FailureReason = reason;
        run.CompletedAt = DateTimeOffset.UtcNow;
        run.UpdatedAt = run.CompletedAt.Value;
        run.StepDeadline = null;
        await context.Publish(new BatchRunFailed(run.CorrelationId, step, reason));
    }

    void Touch(BatchRunState run)
    {
        run.UpdatedAt = DateTimeOffset.UtcNow;
        run.StepDeadline = run.UpdatedAt + options.StepTimeout;
    }

    /// <summary>The step a run in flight is waiting for, as failures and cancellations name it.</summary>
    static string StepOf(BatchRunState run) =>
        run.TotalChunks is null ? "ingest"
        : run.SnapshotId is null ? "product-sync"
        : run.TransformedChunks.Count < run.TotalChunks ? "transform"
        : "metrics";

    static void Complete(BatchRunState run, MetricsLoaded loaded)
    {
        run.Outcome = loaded.Outcome;
        run.RowsAccepted = loaded.RowsAccepted;
        run.RowsRejected = loaded.RowsRejected;
        run.DuplicatesDropped = loaded.DuplicatesDropped;
        run.CompletedAt = DateTimeOffset.UtcNow;
        run.UpdatedAt = run.CompletedAt.Value;
        run.StepDeadline = null;
    }

    static string Describe<T>(Fault<T> fault) =>
        fault.Exceptions.FirstOrDefault() is { } exception ? $"{exception.ExceptionType}: {exception.Message}" : "the step faulted";
}
