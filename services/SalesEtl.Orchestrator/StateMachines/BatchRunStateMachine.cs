using MassTransit;
using SalesEtl.Contracts;
using SalesEtl.Data.Runs;

namespace SalesEtl.Orchestrator.StateMachines;

/// <summary>
/// Coordinates one batch run: ingest and product sync in parallel, each staged chunk transformed as
/// soon as both it and the product snapshot exist, metrics once every chunk is transformed.
/// Chunk events are kept as sets, so a redelivered event counts once; events for a finished run are ignored.
/// </summary>
public sealed class BatchRunStateMachine : MassTransitStateMachine<BatchRunState>
{
    public const int DefaultChunkSize = 50_000;

    public State Extracting { get; private set; } = null!;
    public State Transforming { get; private set; } = null!;
    public State Loading { get; private set; } = null!;
    public State Succeeded { get; private set; } = null!;
    public State SucceededWithWarnings { get; private set; } = null!;
    public State Failed { get; private set; } = null!;

    public Event<StartBatchRun> RunRequested { get; private set; } = null!;
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

    public BatchRunStateMachine()
    {
        InstanceState(run => run.CurrentState);

        Event(() => RunRequested, e => e.CorrelateById(m => m.Message.RunId));
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

        Initially(
            When(RunRequested)
                .Then(context => Submit(context.Saga, context.Message))
                .Publish(context => new IngestSales(context.Saga.CorrelationId, context.Saga.SourcePath, context.Saga.ChunkSize))
                .Publish(context => new SyncProducts(context.Saga.CorrelationId, context.Saga.ProductsUrl))
                .TransitionTo(Extracting));

        During(Extracting, Transforming,
            Ignore(RunRequested),
            When(ChunkStaged)
                .ThenAsync(async context =>
                {
                    var run = context.Saga;
                    if (run.StagedChunks.Contains(context.Message.ChunkNo))
                        return;
                    run.StagedChunks = [.. run.StagedChunks, context.Message.ChunkNo];
                    if (run.SnapshotId is { } snapshotId)
                        await context.Publish(new TransformChunk(run.CorrelationId, context.Message.ChunkNo, snapshotId, run.AsOf));
                })
                .ThenAsync(AdvanceAsync),
            When(SalesIngested)
                .Then(context =>
                {
                    context.Saga.TotalChunks ??= context.Message.ChunkCount;
                    context.Saga.RowsRead ??= context.Message.RowsRead;
                    context.Saga.IngestedAt ??= DateTimeOffset.UtcNow;
                })
                .ThenAsync(AdvanceAsync),
            When(ProductsSynced)
                .ThenAsync(async context =>
                {
                    var run = context.Saga;
                    if (run.SnapshotId is not null)
                        return;
                    run.SnapshotId = context.Message.SnapshotId;
                    run.ProductsSyncedAt = DateTimeOffset.UtcNow;
                    foreach (var chunkNo in run.StagedChunks.Order())
                        await context.Publish(new TransformChunk(run.CorrelationId, chunkNo, context.Message.SnapshotId, run.AsOf));
                })
                .ThenAsync(AdvanceAsync),
            When(ChunkTransformed)
                .Then(context =>
                {
                    var run = context.Saga;
                    if (run.TransformedChunks.Contains(context.Message.ChunkNo))
                        return;
                    run.TransformedChunks = [.. run.TransformedChunks, context.Message.ChunkNo];
                    run.RowsTransformed += context.Message.RowsIn;
                })
                .ThenAsync(AdvanceAsync),
            When(IngestFailed)
                .Then(context => Fail(context.Saga, "ingest", context.Message.Reason))
                .TransitionTo(Failed)
                .Publish(context => RunFailed(context.Saga)),
            When(ProductSyncFailed)
                .Then(context => Fail(context.Saga, "product-sync", context.Message.Reason))
                .TransitionTo(Failed)
                .Publish(context => RunFailed(context.Saga)),
            When(IngestFaulted)
                .Then(context => Fail(context.Saga, "ingest", Describe(context.Message)))
                .TransitionTo(Failed)
                .Publish(context => RunFailed(context.Saga)),
            When(ProductSyncFaulted)
                .Then(context => Fail(context.Saga, "product-sync", Describe(context.Message)))
                .TransitionTo(Failed)
                .Publish(context => RunFailed(context.Saga)),
            When(TransformFaulted)
                .Then(context => Fail(context.Saga, "transform", $"chunk {context.Message.Message.ChunkNo}: {Describe(context.Message)}"))
                .TransitionTo(Failed)
                .Publish(context => RunFailed(context.Saga)),
            Ignore(MetricsLoaded),
            Ignore(LoadFaulted));

        During(Loading,
            Ignore(RunRequested),
            Ignore(ChunkStaged),
            Ignore(SalesIngested),
            Ignore(ProductsSynced),
            Ignore(ChunkTransformed),
            Ignore(IngestFailed),
            Ignore(ProductSyncFailed),
            Ignore(IngestFaulted),
            Ignore(ProductSyncFaulted),
            Ignore(TransformFaulted),
            When(MetricsLoaded)
                .Then(context => Complete(context.Saga, context.Message))
                .IfElse(context => context.Message.Outcome == RunOutcomes.Failed,
                    failed => failed
                        .Then(context => Fail(context.Saga, "quality", context.Message.Reason ?? "a blocking data quality expectation failed"))
                        .TransitionTo(Failed)
                        .Publish(context => RunFailed(context.Saga)),
                    done => done
                        .IfElse(context => context.Message.Outcome == RunOutcomes.SucceededWithWarnings,
                            warned => warned.TransitionTo(SucceededWithWarnings),
                            succeeded => succeeded.TransitionTo(Succeeded))
                        .Publish(context => new BatchRunCompleted(context.Saga.CorrelationId, context.Message.Outcome,
                            context.Saga.RowsRead ?? 0, context.Message.RowsAccepted, context.Message.RowsRejected, context.Message.DuplicatesDropped))),
            When(LoadFaulted)
                .Then(context => Fail(context.Saga, "metrics", Describe(context.Message)))
                .TransitionTo(Failed)
                .Publish(context => RunFailed(context.Saga)));

        // A finished run ignores whatever still arrives for it (redeliveries, late duplicates).
        During(Succeeded, SucceededWithWarnings, Failed,
            Ignore(RunRequested), Ignore(ChunkStaged), Ignore(SalesIngested), Ignore(IngestFailed),
            Ignore(ProductsSynced), Ignore(ProductSyncFailed), Ignore(ChunkTransformed), Ignore(MetricsLoaded),
            Ignore(IngestFaulted), Ignore(ProductSyncFaulted), Ignore(TransformFaulted), Ignore(LoadFaulted));
    }

    void CorrelateStepEvent<T>(System.Linq.Expressions.Expression<Func<Event<T>>> selector)
        where T : class, IRunMessage =>
        Event(selector, e =>
        {
            e.CorrelateById(m => m.Message.RunId);
            // Step events can only follow the run request; if the row is not visible yet, fault and retry.
            e.OnMissingInstance(m => m.Fault());
        });

    void CorrelateFault<T>(System.Linq.Expressions.Expression<Func<Event<Fault<T>>>> selector)
        where T : class, IRunMessage =>
        Event(selector, e =>
        {
            e.CorrelateById(m => m.Message.Message.RunId);
            e.OnMissingInstance(m => m.Discard());
        });

    static void Submit(BatchRunState run, StartBatchRun request)
    {
        run.SourcePath = request.SourcePath;
        run.AsOf = request.AsOf.ToUniversalTime();
        run.ProductsUrl = request.ProductsUrl;
        run.ChunkSize = request.ChunkSize is > 0 ? request.ChunkSize.Value : DefaultChunkSize;
        run.SubmittedAt = request.RequestedAt.ToUniversalTime();
        run.UpdatedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>Moves the run on once both extract steps are done, and to loading once every chunk is transformed.</summary>
    async Task AdvanceAsync(BehaviorContext<BatchRunState> context)
    {
        var run = context.Saga;
        run.UpdatedAt = DateTimeOffset.UtcNow;
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

    static void Fail(BatchRunState run, string step, string reason)
    {
        run.Outcome = RunOutcomes.Failed;
        run.FailedStep = step;
        run.FailureReason = reason;
        run.CompletedAt = DateTimeOffset.UtcNow;
        run.UpdatedAt = run.CompletedAt.Value;
    }

    static void Complete(BatchRunState run, MetricsLoaded loaded)
    {
        run.Outcome = loaded.Outcome;
        run.RowsAccepted = loaded.RowsAccepted;
        run.RowsRejected = loaded.RowsRejected;
        run.DuplicatesDropped = loaded.DuplicatesDropped;
        run.CompletedAt = DateTimeOffset.UtcNow;
        run.UpdatedAt = run.CompletedAt.Value;
    }

    static BatchRunFailed RunFailed(BatchRunState run) => new(run.CorrelationId, run.FailedStep ?? "unknown", run.FailureReason ?? "");

    static string Describe<T>(Fault<T> fault) =>
        fault.Exceptions.FirstOrDefault() is { } exception ? $"{exception.ExceptionType}: {exception.Message}" : "the step faulted";
}
