using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SalesEtl.Data;
using SalesEtl.Data.Runs;
using SalesEtl.IntegrationTests.Contract;
using SalesEtl.MetricsLoader;
using SalesEtl.MetricsLoader.Retention;
using SalesEtl.Pipeline.Quality;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Retention;

/// <summary>
/// The retention sweeper releases the staged records and candidate facts of finished runs — succeeded or cancelled
/// after an hour, failed after a week (until then <c>etl retry</c> needs them) — and never a run in flight or any result.
/// </summary>
public sealed class Releasing_intermediate_rows_of_finished_runs : IAsyncLifetime
{
    const string Sales = """
        transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel
        T1,C1,P1,2026-11-01,2,20.00,web
        T2,C1,P1,2026-11-02,1,10.00,store
        T2,C1,P1,2026-11-02,1,10.00,store
        T3,C2,P9,2026-11-03,-1,-15.00,store
        bad,C2,P1,not a date,1,1.00,web

        """;

    const string Products = """[{"product_id":"P1","product_name":"Lamp","category":"home","base_price":10}]""";

    static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync("retention");

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Should_release_only_finished_runs_past_their_age_and_keep_every_result()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var succeededLongAgo = await FinishedRunAsync(run, snapshot, "Succeeded", Now.AddHours(-2));
        var succeededJustNow = await FinishedRunAsync(run, snapshot, "SucceededWithWarnings", Now.AddMinutes(-10));
        var cancelledLongAgo = await FinishedRunAsync(run, snapshot, "Cancelled", Now.AddHours(-2));
        var failedYesterday = await FinishedRunAsync(run, snapshot, "Failed", Now.AddDays(-1));
        var failedLastMonth = await FinishedRunAsync(run, snapshot, "Failed", Now.AddDays(-30));
        var inFlight = await FinishedRunAsync(run, snapshot, "Loading", Now.AddDays(-30));
        var factsBefore = await database.ScalarAsync<long>("SELECT count(*) FROM fact_sales");

        var sweeper = Sweeper(runsPerSweep: 2);
        var first = await sweeper.SweepAsync(CancellationToken.None);
        var second = await sweeper.SweepAsync(CancellationToken.None);
        var third = await sweeper.SweepAsync(CancellationToken.None);

        Assert.Equal(2, first.Count);
        Assert.Single(second);
        Assert.Empty(third);
        Assert.Equal(new[] { succeededLongAgo, cancelledLongAgo, failedLastMonth }.Order(), first.Concat(second).Order());
        foreach (var released in new[] { succeededLongAgo, cancelledLongAgo, failedLastMonth })
            Assert.Equal(0L, await IntermediateRowsAsync(released));
        foreach (var kept in new[] { succeededJustNow, failedYesterday, inFlight })
            Assert.True(await IntermediateRowsAsync(kept) > 0, $"run {kept} lost its intermediate rows");
        Assert.Equal(factsBefore, await database.ScalarAsync<long>("SELECT count(*) FROM fact_sales"));
        Assert.Equal(6L, await database.ScalarAsync<long>("SELECT count(DISTINCT run_id) FROM rejected_rows"));
        Assert.Equal(6L, await database.ScalarAsync<long>("SELECT count(DISTINCT run_id) FROM duplicate_rows"));
        Assert.Equal(6L, await database.ScalarAsync<long>("SELECT count(*) FROM quality_reports"));

        // A late redelivery of the released run's LoadMetrics changes nothing (the rows to recompute from are gone).
        Assert.Null(await new RunFinalizer(database.DataSource).FinalizeAsync(succeededLongAgo, snapshot, new QualityOptions(), CancellationToken.None));
        Assert.Equal(factsBefore, await database.ScalarAsync<long>("SELECT count(*) FROM fact_sales"));
    }

    [Fact]
    public async Task Should_release_the_facts_of_a_failed_run_that_never_reached_finalization()
    {
        // Its transformers loaded the first occurrences of its chunks; without its staged rows it can never be completed.
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var failedInTransform = await FinishedRunAsync(run, snapshot, "Failed", Now.AddDays(-30), finalized: false);
        var failedOnQuality = await FinishedRunAsync(run, snapshot, "Failed", Now.AddDays(-30));
        var failedInTransformYesterday = await FinishedRunAsync(run, snapshot, "Failed", Now.AddDays(-1), finalized: false);
        var factsOf = async (Guid runId) => await database.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id = '{runId}'");
        Assert.Equal(3L, await factsOf(failedInTransform));
        Assert.Equal(3L, await factsOf(failedOnQuality));

        await Sweeper(runsPerSweep: 10).SweepAsync(CancellationToken.None);

        Assert.Equal(0L, await factsOf(failedInTransform));
        Assert.Equal(3L, await factsOf(failedOnQuality));
        Assert.Equal(3L, await factsOf(failedInTransformYesterday));
    }

    [Fact]
    public async Task Should_keep_everything_when_retention_is_off()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var runId = await FinishedRunAsync(run, snapshot, "Succeeded", Now.AddDays(-400));

        var options = new RetentionOptions { Enabled = false };
        using var sweeper = new IntermediateRowsSweeper(database.DataSource, Options.Create(options), new FixedTime(Now), NullLogger<IntermediateRowsSweeper>.Instance);
        await sweeper.StartAsync(CancellationToken.None);
        await sweeper.StopAsync(CancellationToken.None);

        Assert.True(await IntermediateRowsAsync(runId) > 0);
    }

    IntermediateRowsSweeper Sweeper(int runsPerSweep) =>
        new(database.DataSource, Options.Create(new RetentionOptions { RunsPerSweep = runsPerSweep }), new FixedTime(Now), NullLogger<IntermediateRowsSweeper>.Instance);

    /// <summary>A real run (staged, transformed, finalized unless told) and its saga row in the given state since the given time.</summary>
    async Task<Guid> FinishedRunAsync(InProcessRun run, long snapshot, string state, DateTimeOffset since, bool finalized = true)
    {
        var runId = finalized
            ? (await run.RunAsync(Sales, snapshot, new Processing(2, 1, null))).RunId
            : await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));
        await using var db = EtlDatabase.CreateContext(database.DataSource);
        db.BatchRuns.Add(new BatchRunState
        {
            CorrelationId = runId,
            CurrentState = state,
            SourcePath = "/data/sales.csv",
            AsOf = InProcessRun.AsOf,
            ChunkSize = 2,
            SnapshotId = snapshot,
            SubmittedAt = since.AddMinutes(-1),
            CompletedAt = state.StartsWith("Succeeded", StringComparison.Ordinal) ? since : null,
            UpdatedAt = since,
        });
        await db.SaveChangesAsync();
        return runId;
    }

    async Task<long> IntermediateRowsAsync(Guid runId)
    {
        long rows = 0;
        foreach (var table in IntermediateRowsSweeper.IntermediateTables)
            rows += await database.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE run_id = '{runId}'");
        return rows;
    }

    sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
