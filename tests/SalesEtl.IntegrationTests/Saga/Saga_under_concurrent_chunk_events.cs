using MassTransit;
using Microsoft.EntityFrameworkCore;
using SalesEtl.Contracts;
using SalesEtl.Data;
using SalesEtl.Data.Runs;
using SalesEtl.ServiceDefaults;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Saga;

/// <summary>
/// The fan-in that broke optimistic locking in the probe: hundreds of completion events for one run
/// arriving at once, from several connections, with redeliveries mixed in.
/// </summary>
public sealed class Saga_under_concurrent_chunk_events : IAsyncLifetime
{
    const int Chunks = 500;
    const int Publishers = 4;

    TestDatabase database = null!;
    TestVirtualHost vhost = null!;
    OrchestratorHost orchestrator = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("saga");
        vhost = await TestVirtualHost.CreateAsync("saga");
        orchestrator = await OrchestratorHost.StartAsync(database, vhost);
    }

    public async Task DisposeAsync()
    {
        await orchestrator.DisposeAsync();
        await vhost.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task Should_complete_the_run_exactly_once_with_exact_counts()
    {
        var runId = NewId.NextGuid();
        await orchestrator.Bus.Publish(new StartBatchRun(runId, "/data/sales.csv", DateTimeOffset.UtcNow, null, 1000, DateTimeOffset.UtcNow));
        await WaitForAsync(runId, run => run.CurrentState == "Extracting", "the run to be submitted");

        var publishers = await StartPublishersAsync();
        try
        {
            // Chunks staged before the product snapshot exists, then the snapshot, then the rest staged.
            await PublishConcurrentlyAsync(publishers, Enumerable.Range(1, Chunks / 2), chunk => new SalesChunkStaged(runId, chunk, 1000, chunk * 1000L, chunk * 1000L + 999));
            await orchestrator.Bus.Publish(new ProductsSynced(runId, 42, 10, 0));
            await PublishConcurrentlyAsync(publishers, Enumerable.Range(Chunks / 2 + 1, Chunks / 2), chunk => new SalesChunkStaged(runId, chunk, 1000, chunk * 1000L, chunk * 1000L + 999));
            await orchestrator.Bus.Publish(new SalesIngested(runId, Chunks, Chunks * 1000L, []));
            await WaitForAsync(runId, run => run.StagedChunks.Count == Chunks && run.CurrentState == "Transforming", "every chunk to be staged");

            // 500 completions at once from four connections, plus 50 of them delivered a second time.
            var completions = Enumerable.Range(1, Chunks).Concat(Enumerable.Range(1, 50));
            await PublishConcurrentlyAsync(publishers, completions, chunk => new ChunkTransformed(runId, chunk, 1000, 990, 10));

            var loaded = await WaitForAsync(runId, run => run.CurrentState == "Loading", "the run to reach loading");
            Assert.Equal(Chunks, loaded.TransformedChunks.Count);
            Assert.Equal(Enumerable.Range(1, Chunks), loaded.TransformedChunks.Order());
            Assert.Equal(Chunks * 1000L, loaded.RowsTransformed);

            await orchestrator.Bus.Publish(new MetricsLoaded(runId, RunOutcomes.Succeeded, null, 495_000, 5_000, 0));
            var finished = await WaitForAsync(runId, run => run.CurrentState == "Succeeded", "the run to succeed");
            Assert.Equal(RunOutcomes.Succeeded, finished.Outcome);

            await Task.Delay(TimeSpan.FromSeconds(2)); // let any stray duplicate commands arrive before counting
            var recorder = orchestrator.Recorder;
            Assert.Single(recorder.Of<LoadMetrics>());
            Assert.Equal(Chunks, recorder.Of<TransformChunk>().Count);
            Assert.Equal(Chunks, recorder.Of<TransformChunk>().Select(t => t.ChunkNo).Distinct().Count());
            Assert.All(recorder.Of<TransformChunk>(), t => Assert.Equal(42, t.SnapshotId));
            Assert.Single(recorder.Of<IngestSales>());
            Assert.Single(recorder.Of<SyncProducts>());
            Assert.Single(recorder.Of<BatchRunCompleted>());
            Assert.Empty(recorder.Of<BatchRunFailed>());
            Assert.Empty(await vhost.NonEmptyErrorQueuesAsync());
        }
        finally
        {
            foreach (var publisher in publishers)
                await publisher.StopAsync();
        }
    }

    [Fact]
    public async Task Should_keep_chunk_events_that_arrive_before_their_run_row_exists()
    {
        // The missing-instance pitfall: a step event that beats its run's row must fault and be retried until the row
        // exists, not be discarded (the probe's default policy dropped 431 of 500). Commands leave only after the row
        // is committed, so early events are rare and few; each holds one of the endpoint's 16 consumer slots while it
        // retries in memory, so more early events than slots would starve the run request behind them (seen with 40).
        const int earlyChunks = 8;
        var runId = NewId.NextGuid();
        var publishers = await StartPublishersAsync();
        try
        {
            await PublishConcurrentlyAsync(publishers, Enumerable.Range(1, earlyChunks), chunk => new SalesChunkStaged(runId, chunk, 1000, chunk * 1000L, chunk * 1000L + 999));
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            await orchestrator.Bus.Publish(new StartBatchRun(runId, "/data/sales.csv", DateTimeOffset.UtcNow, null, 1000, DateTimeOffset.UtcNow));

            var run = await WaitForAsync(runId, run => run.StagedChunks.Count == earlyChunks, "every early chunk to be recorded");
            Assert.Equal(Enumerable.Range(1, earlyChunks), run.StagedChunks.Order());
            Assert.Equal("Extracting", run.CurrentState);
            Assert.Single(orchestrator.Recorder.Of<IngestSales>());
            Assert.Empty(await vhost.NonEmptyErrorQueuesAsync());
        }
        finally
        {
            foreach (var publisher in publishers)
                await publisher.StopAsync();
        }
    }

    async Task<List<IBusControl>> StartPublishersAsync()
    {
        var publishers = new List<IBusControl>();
        for (var i = 0; i < Publishers; i++)
        {
            var bus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg => cfg.ConfigureEtlRabbitMq(vhost.Options));
            await bus.StartAsync();
            publishers.Add(bus);
        }
        return publishers;
    }

    static Task PublishConcurrentlyAsync<T>(List<IBusControl> publishers, IEnumerable<int> chunks, Func<int, T> message)
        where T : class =>
        Task.WhenAll(chunks.Select((chunk, i) => publishers[i % publishers.Count].Publish(message(chunk))));

    async Task<BatchRunState> WaitForAsync(Guid runId, Func<BatchRunState, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        BatchRunState? run = null;
        while (DateTime.UtcNow < deadline)
        {
            await using var db = EtlDatabase.CreateContext(database.DataSource);
            run = await db.BatchRuns.AsNoTracking().SingleOrDefaultAsync(r => r.CorrelationId == runId);
            if (run is not null && condition(run))
                return run;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Timed out waiting for {what}; run is {run?.CurrentState ?? "missing"} with {run?.StagedChunks.Count} staged and {run?.TransformedChunks.Count} transformed chunks.");
    }
}
