using Npgsql;
using SalesEtl.MetricsLoader;
using SalesEtl.Pipeline.Quality;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Contract;

/// <summary>
/// The metrics-loader finalizes a run in phases (the facts made final in a transaction while the metrics' read of the
/// facts runs on other connections, the completeness check from that read's count before the commit; then the metric
/// tables in two lanes on two connections; then the quality report). A part that fails stops the other, leaves the run
/// without a report, and a second attempt gives exactly what one uninterrupted finalization gives; a run whose waiting
/// candidates were lost fails before any of them is loaded.
/// </summary>
public sealed class Finalizing_metrics_in_lanes : IAsyncLifetime
{
    const string Sales = """
        transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel
        T1,C1,P1,2026-11-01,2,20.00,web
        T2,C1,P1,2026-11-02,1,10.00,store
        T1,C1,P1,2026-11-01,2,20.00,web
        T3,C2,P1,2026-10-03,1,10.00,web
        T2,C9,P1,2026-11-02,1,10.00,store
        T4,,P2,2026-11-04,-1,-10.00,web

        """;

    const string Products = """[{"product_id":"P1","product_name":"Lamp","category":"home","base_price":10,"stock_quantity":5}]""";

    TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync("lanes");

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Should_fail_without_a_report_when_a_lane_fails_and_finalize_the_same_on_the_next_attempt()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var (expectedRun, expectedExport) = await run.RunAsync(Sales, snapshot, new Processing(2, 1, null));
        var runId = await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));
        await ExecuteAsync("""
            CREATE FUNCTION fail_channel_monthly() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
            CREATE TRIGGER fail_channel_monthly BEFORE INSERT ON channel_monthly FOR EACH STATEMENT EXECUTE FUNCTION fail_channel_monthly();
            """);

        var failure = await Assert.ThrowsAsync<PostgresException>(() => FinalizeAsync(runId, snapshot));

        Assert.Contains("injected failure", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM quality_reports WHERE run_id = '{runId}'"));
        Assert.Equal(await run.FactsAndDuplicatesAsync(expectedRun), await run.FactsAndDuplicatesAsync(runId));

        await ExecuteAsync("DROP TRIGGER fail_channel_monthly ON channel_monthly");
        var totals = await FinalizeAsync(runId, snapshot);

        Assert.NotNull(totals);
        Assert.Equal(await run.FactsAndDuplicatesAsync(expectedRun), await run.FactsAndDuplicatesAsync(runId));
        var export = Path.Combine(Path.GetTempPath(), "sales-etl-in-process", $"{runId}-after-retry");
        await new SalesEtl.Data.Export.RunExporter(database.DataSource).ExportAsync(runId, export, CancellationToken.None);
        foreach (var table in SalesEtl.Data.Export.RunExporter.Tables)
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(expectedExport, $"{table.Name}.csv")), await File.ReadAllTextAsync(Path.Combine(export, $"{table.Name}.csv")));
        Assert.Equal(
            new[] { "clear", "rank_duplicates", "load_facts", "aggregate_facts", "product_revenue", "channel_months", "channel_monthly",
                    "inventory_valuation", "inventory_by_category", "inventory_by_manufacturer", "channel_performance", "customer_frequency",
                    "customer_segments", "quality_report" },
            totals.Timings.Select(t => t.Step));
    }

    [Fact]
    public async Task Should_fail_before_loading_a_waiting_candidate_when_the_candidates_were_lost()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var runId = await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));
        await using (var db = SalesEtl.Data.EtlDatabase.CreateContext(database.DataSource))
        {
            db.BatchRuns.Add(new SalesEtl.Data.Runs.BatchRunState { CorrelationId = runId, CurrentState = "Transformed", RowsRead = 6, SubmittedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }
        var loaded = await run.FactsAndDuplicatesAsync(runId);
        Assert.True(await database.ScalarAsync<long>($"SELECT count(*) FROM transformed_sales WHERE run_id = '{runId}'") > 0);
        // What a PostgreSQL crash does to the UNLOGGED table of waiting candidates.
        await ExecuteAsync($"DELETE FROM transformed_sales WHERE run_id = '{runId}'");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => FinalizeAsync(runId, snapshot));

        Assert.Contains("The run read 6 rows but only", failure.Message, StringComparison.Ordinal);
        Assert.Contains("intermediate rows were lost", failure.Message, StringComparison.Ordinal);
        Assert.Equal(loaded, await run.FactsAndDuplicatesAsync(runId));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM quality_reports WHERE run_id = '{runId}'"));
    }

    [Fact]
    public async Task Should_load_nothing_when_the_duplicate_check_fails_beside_the_read_and_finalize_the_same_on_the_next_attempt()
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var (expectedRun, _) = await run.RunAsync(Sales, snapshot, new Processing(2, 1, null));
        var runId = await run.StageAndTransformAsync(Sales, snapshot, new Processing(2, 1, null));
        var loadedAtOnce = await run.FactsAndDuplicatesAsync(runId);
        await ExecuteAsync("""
            CREATE FUNCTION fail_duplicate_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected ranking failure'; END $$;
            CREATE TRIGGER fail_duplicate_rows BEFORE INSERT ON duplicate_rows FOR EACH STATEMENT EXECUTE FUNCTION fail_duplicate_rows();
            """);

        var failure = await Assert.ThrowsAsync<PostgresException>(() => FinalizeAsync(runId, snapshot));

        Assert.Contains("injected ranking failure", failure.Message, StringComparison.Ordinal);
        Assert.Equal(loadedAtOnce, await run.FactsAndDuplicatesAsync(runId));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM transformed_chunks WHERE run_id = '{runId}' AND chunk_no = 0"));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM quality_reports WHERE run_id = '{runId}'"));

        await ExecuteAsync("DROP TRIGGER fail_duplicate_rows ON duplicate_rows");
        Assert.NotNull(await FinalizeAsync(runId, snapshot));
        Assert.Equal(await run.FactsAndDuplicatesAsync(expectedRun), await run.FactsAndDuplicatesAsync(runId));
        Assert.Equal(
            await database.ScalarAsync<long>($"SELECT sum(transactions)::bigint FROM product_revenue WHERE run_id = '{expectedRun}'"),
            await database.ScalarAsync<long>($"SELECT sum(transactions)::bigint FROM product_revenue WHERE run_id = '{runId}'"));
    }

    Task<SalesEtl.Data.Quality.RunTotals?> FinalizeAsync(Guid runId, long snapshot) =>
        new RunFinalizer(database.DataSource).FinalizeAsync(runId, snapshot, new QualityOptions(), CancellationToken.None);

    async Task ExecuteAsync(string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
