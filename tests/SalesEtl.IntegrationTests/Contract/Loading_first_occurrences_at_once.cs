using Npgsql;
using SalesEtl.Data.Runs;
using SalesEtl.MetricsLoader;
using SalesEtl.Pipeline.Quality;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Contract;

/// <summary>
/// The transformers load a candidate's fact at once when the ingestor marked its transaction id as certainly first
/// (FirstOccurrenceFilter); every other candidate waits in transformed_sales for the duplicate check of the
/// finalization. What that must never change: the facts, duplicates and rejects of the run, whatever attempt at a chunk
/// came when — a redelivered chunk before finalization, one after it, a cancel, a crash that empties the waiting rows.
/// </summary>
public sealed class Loading_first_occurrences_at_once : IAsyncLifetime
{
    // Chunks of 2: T1 (line 2) and T1 again, equal (line 4, an exact duplicate of a fact loaded at once); T2 (line 3)
    // and a conflicting T2 (line 6); T3 first rejected (line 5, invalid date), then accepted (line 7): the filter took
    // it for a repeat, and it wins its id at finalization.
    const string Sales = """
        transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel
        T1,C1,P1,2026-11-01,2,20.00,web
        T2,C1,P1,2026-11-02,1,10.00,store
        T1,C1,P1,2026-11-01,2,20.00,web
        T3,C2,P1,not a date,1,10.00,web
        T2,C9,P1,2026-11-02,1,10.00,store
        T3,C2,P1,2026-11-03,1,10.00,web
        T4,,P1,2026-11-04,-1,-10.00,web

        """;

    const string Products = """[{"product_id":"P1","product_name":"Lamp","category":"home","base_price":10}]""";

    TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync("first_occurrences");

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Should_load_first_occurrences_while_transforming_and_the_rest_at_finalization()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);

        var runId = await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));

        Assert.Equal("2,3,8", await LinesAsync("fact_sales", runId));
        Assert.Equal("4,6,7", await LinesAsync("transformed_sales", runId));

        await FinalizeAsync(runId, snapshot);

        Assert.Equal("2,3,7,8", await LinesAsync("fact_sales", runId));
        Assert.Equal("4", await LinesAsync("duplicate_rows", runId));
        Assert.Equal("5 invalid_sale_date,6 duplicate_conflict", await RejectsAsync(runId));
    }

    [Fact]
    public async Task Should_give_the_same_facts_with_the_filter_off_or_tiny_as_with_its_default()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);

        var results = new List<string>();
        foreach (var filterBytes in new[] { FirstOccurrenceFilterBytes.Default, 0, 64 })
        {
            var (runId, _) = await run.RunAsync(Sales, snapshot, new Processing(2, 1, null, filterBytes));
            results.Add(await run.FactsAndDuplicatesAsync(runId) + await RejectsAsync(runId));
        }

        Assert.Single(results.Distinct());
    }

    [Fact]
    public async Task Should_replace_a_chunks_facts_when_it_is_transformed_again_before_finalization()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var (expectedRun, _) = await run.RunAsync(Sales, snapshot, new Processing(2, 1, null));
        var expected = await run.FactsAndDuplicatesAsync(expectedRun);

        var runId = await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));
        Assert.True(await run.TransformChunkAgainAsync(runId, snapshot, 1));
        // Marked differently the second time (the ingestor read the file again with another filter): no fact twice.
        Assert.True(await run.TransformChunkAgainAsync(runId, snapshot, 3, firstOccurrencesKnown: false));
        Assert.True(await run.TransformChunkAgainAsync(runId, snapshot, 4, firstOccurrencesKnown: false));
        await FinalizeAsync(runId, snapshot);

        Assert.Equal(expected, await run.FactsAndDuplicatesAsync(runId));
        Assert.Equal("5 invalid_sale_date,6 duplicate_conflict", await RejectsAsync(runId));
    }

    [Fact]
    public async Task Should_load_a_chunk_once_when_attempts_at_it_write_at_the_same_time()
    {
        // fact_sales has no key to refuse a second copy: the chunk's mark in transformed_chunks makes each attempt wait
        // for the one before and replace what it wrote.
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var (expectedRun, _) = await run.RunAsync(Sales, snapshot, new Processing(2, 1, null));
        var expected = await run.FactsAndDuplicatesAsync(expectedRun);
        var runId = await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => run.TransformChunkAgainAsync(runId, snapshot, 1 + (i % 2))));
        Assert.All(attempts, Assert.True);
        await FinalizeAsync(runId, snapshot);

        Assert.Equal(expected, await run.FactsAndDuplicatesAsync(runId));
        Assert.Equal(4L, await database.ScalarAsync<long>($"SELECT count(*) FROM transformed_chunks WHERE run_id = '{runId}' AND chunk_no > 0"));
    }

    [Fact]
    public async Task Should_not_write_a_chunk_of_a_run_already_finalized()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var (runId, _) = await run.RunAsync(Sales, snapshot, new Processing(2, 1, null));
        var before = await run.FactsAndDuplicatesAsync(runId);

        // A late redelivery: chunk 3 holds line 7, a fact the finalization inserted.
        Assert.False(await run.TransformChunkAgainAsync(runId, snapshot, 3, firstOccurrencesKnown: false));
        Assert.False(await run.TransformChunkAgainAsync(runId, snapshot, 1));

        Assert.Equal(before, await run.FactsAndDuplicatesAsync(runId));
        Assert.Equal("5 invalid_sale_date,6 duplicate_conflict", await RejectsAsync(runId));
    }

    [Fact]
    public async Task Should_wait_for_a_finalization_in_progress_and_then_not_write()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var runId = await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));

        await using var finalizing = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await finalizing.BeginTransactionAsync();
        await ExecuteAsync(finalizing, transaction, RunLocks.Exclusive, runId);
        var write = run.TransformChunkAgainAsync(runId, snapshot, 1);
        await Task.Delay(500);
        Assert.False(write.IsCompleted, "the chunk was written while the run's lock was held exclusively");
        await ExecuteAsync(finalizing, transaction,
            "INSERT INTO quality_reports (run_id, outcome, rows_read, rows_accepted, rows_rejected, duplicates_dropped, report_json, created_at) VALUES (@run, 'succeeded', 0, 0, 0, 0, '{}', now())",
            runId);
        await transaction.CommitAsync();

        Assert.False(await write);
    }

    [Fact]
    public async Task Should_leave_no_fact_of_a_cancelled_run()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var runId = await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));

        await new RunFinalizer(database.DataSource).PurgeAsync(runId, CancellationToken.None);

        Assert.Equal("", await LinesAsync("fact_sales", runId));
        Assert.Equal("", await LinesAsync("transformed_sales", runId));
    }

    [Fact]
    public async Task Should_refuse_to_finalize_when_waiting_candidates_were_lost()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var runId = await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));
        await database.ScalarAsync<int>($"WITH d AS (DELETE FROM transformed_sales WHERE run_id = '{runId}' AND source_line = 7 RETURNING 1) SELECT count(*)::int FROM d");
        await AddRunAsync(runId, snapshot, rowsRead: 7);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => FinalizeAsync(runId, snapshot));

        Assert.Contains("read 7 rows but only 6", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_count_facts_inserted_by_an_earlier_finalization_once_when_finalizing_again()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var runId = await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));
        await AddRunAsync(runId, snapshot, rowsRead: 7);
        await FinalizeAsync(runId, snapshot);
        var first = await run.FactsAndDuplicatesAsync(runId);
        await database.ScalarAsync<int>($"WITH d AS (DELETE FROM quality_reports WHERE run_id = '{runId}' RETURNING 1) SELECT count(*)::int FROM d");

        await FinalizeAsync(runId, snapshot);

        Assert.Equal(first, await run.FactsAndDuplicatesAsync(runId));
    }

    Task FinalizeAsync(Guid runId, long snapshot) =>
        new RunFinalizer(database.DataSource).FinalizeAsync(runId, snapshot, new QualityOptions(), CancellationToken.None);

    async Task AddRunAsync(Guid runId, long snapshot, long rowsRead)
    {
        await using var db = SalesEtl.Data.EtlDatabase.CreateContext(database.DataSource);
        db.BatchRuns.Add(new BatchRunState
        {
            CorrelationId = runId,
            CurrentState = "LoadingMetrics",
            SourcePath = "/data/sales.csv",
            AsOf = InProcessRun.AsOf,
            ChunkSize = 2,
            SnapshotId = snapshot,
            RowsRead = rowsRead,
            SubmittedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    Task<string> LinesAsync(string table, Guid runId) =>
        database.ScalarAsync<string>($"SELECT coalesce(string_agg(source_line::text, ',' ORDER BY source_line), '') FROM {table} WHERE run_id = '{runId}'");

    Task<string> RejectsAsync(Guid runId) =>
        database.ScalarAsync<string>($"SELECT coalesce(string_agg(source_line || ' ' || reason, ',' ORDER BY source_line), '') FROM rejected_rows WHERE run_id = '{runId}'");

    static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, Guid runId)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("run", runId);
        await command.ExecuteNonQueryAsync();
    }

    static class FirstOccurrenceFilterBytes
    {
        public const int Default = SalesEtl.Pipeline.Sales.FirstOccurrenceFilter.DefaultBytes;
    }
}
