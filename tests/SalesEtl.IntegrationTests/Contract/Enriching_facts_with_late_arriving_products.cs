using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Contract;

/// <summary>
/// docs/DATA_CONTRACT_NOTES.md, late-arriving products: facts kept with flag unknown_product are matched to the
/// product by the first later sync that brings it (late_product_matches, fact_sales_enriched); the run's own metrics
/// and export stay exactly as they were.
/// </summary>
public sealed class Enriching_facts_with_late_arriving_products(InProcessDatabase fixture) : IClassFixture<InProcessDatabase>
{
    const string Sales = """
        transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel
        T1,C1,P1,2026-11-01,2,20.00,web
        T2,C1,new-1,2026-11-02,1,15.00,store
        T3,C2,NEW-1,2026-11-03,-1,-15.00,store
        T4,C2,P1,2026-11-03,1,,web

        """;

    const string Before = """[{"product_id":"P1","product_name":"Lamp","category":"home","base_price":10}]""";
    const string After = """[{"product_id":"P1","product_name":"Lamp","category":"home","base_price":10},{"product_id":"NEW-1","product_name":"Late Lamp","category":"light","manufacturer":"Acme","base_price":15}]""";
    const string Renamed = """[{"product_id":"P1","product_name":"Lamp","category":"home","base_price":10},{"product_id":"NEW-1","product_name":"Renamed Lamp","category":"light","base_price":16}]""";

    TestDatabase Database => fixture.Database;

    [Fact]
    public async Task Should_match_unknown_products_once_a_later_sync_brings_them_and_leave_the_run_untouched()
    {
        await using var run = new InProcessRun(Database);
        var first = await run.StoreSnapshotAsync(Before);
        var (runId, exportBefore) = await run.RunAsync(Sales, first, new Processing(10_000, 1, null));
        Assert.Equal(2L, await Database.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id = '{runId}' AND flags & 8 <> 0"));
        Assert.Equal(0L, await Count(runId));

        var second = await run.StoreSnapshotAsync(After);

        Assert.Equal(1L, await Count(runId));
        Assert.Equal(second, await Database.ScalarAsync<long>($"SELECT snapshot_id FROM late_product_matches WHERE run_id = '{runId}' AND product_id = 'NEW-1'"));
        Assert.Equal(2L, await Database.ScalarAsync<long>($"SELECT fact_rows FROM late_product_matches WHERE run_id = '{runId}'"));
        Assert.Equal("source_line 2: run_snapshot Lamp|source_line 3: late_match Late Lamp|source_line 4: late_match Late Lamp|source_line 5: run_snapshot Lamp",
            await Database.ScalarAsync<string>($"""
                SELECT string_agg('source_line ' || source_line || ': ' || attributes_from || ' ' || product_name, '|' ORDER BY source_line)
                FROM fact_sales_enriched WHERE run_id = '{runId}'
                """));
        Assert.Equal("Acme Light 15.00", await Database.ScalarAsync<string>(
            $"SELECT DISTINCT manufacturer || ' ' || category || ' ' || base_price FROM fact_sales_enriched WHERE run_id = '{runId}' AND product_id = 'NEW-1'"));

        // The run's metrics are reproducible from its own snapshot: same export, product attributes still null.
        var exportAfter = Path.Combine(Path.GetTempPath(), "sales-etl-in-process", $"{runId}-again");
        await new SalesEtl.Data.Export.RunExporter(Database.DataSource).ExportAsync(runId, exportAfter, CancellationToken.None);
        foreach (var table in new[] { "product_revenue.csv", "channel_performance.csv", "inventory_valuation.csv", "rejects.csv" })
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(exportBefore, table)), await File.ReadAllTextAsync(Path.Combine(exportAfter, table)));
        Assert.Contains("NEW-1,,,,2,0,15.00,15.00,0.00,", await File.ReadAllTextAsync(Path.Combine(exportAfter, "product_revenue.csv")), StringComparison.Ordinal);

        // A later change of the product does not move the match: it keeps the version of the first sync that brought it.
        await run.StoreSnapshotAsync(Renamed);
        Assert.Equal(second, await Database.ScalarAsync<long>($"SELECT snapshot_id FROM late_product_matches WHERE run_id = '{runId}'"));
        Assert.Equal("Late Lamp", await Database.ScalarAsync<string>($"SELECT DISTINCT product_name FROM fact_sales_enriched WHERE run_id = '{runId}' AND product_id = 'NEW-1'"));
    }

    [Fact]
    public async Task Should_not_match_a_run_that_knew_the_product_or_a_product_still_unknown()
    {
        await using var run = new InProcessRun(Database);
        var known = await run.StoreSnapshotAsync(After);
        var (knewIt, _) = await run.RunAsync(Sales, known, new Processing(3, 2, 5));
        var unknownFirst = await run.StoreSnapshotAsync(Before);
        var (stillUnknown, _) = await run.RunAsync(Sales.Replace("NEW-1", "NEVER-9", StringComparison.OrdinalIgnoreCase), unknownFirst, new Processing(10_000, 1, null));

        await run.StoreSnapshotAsync(After);

        Assert.Equal(0L, await Count(knewIt));
        Assert.Equal(0L, await Count(stillUnknown));
        Assert.Equal(0L, await Database.ScalarAsync<long>($"SELECT count(*) FROM fact_sales_enriched WHERE run_id = '{stillUnknown}' AND product_id = 'NEVER-9' AND attributes_from IS NOT NULL"));
    }

    [Fact]
    public async Task Should_not_match_a_run_in_flight_whose_transformers_loaded_part_of_its_facts()
    {
        // A match counts the run's facts once and never changes; a run in flight does not have them all yet.
        await using var run = new InProcessRun(Database);
        var first = await run.StoreSnapshotAsync(Before);
        var inFlight = await run.StageAndTransformAsync(Sales, first, new Processing(2, 1, null));
        Assert.Equal(2L, await Database.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id = '{inFlight}' AND flags & 8 <> 0"));

        await run.StoreSnapshotAsync(After);
        Assert.Equal(0L, await Count(inFlight));

        await new SalesEtl.MetricsLoader.RunFinalizer(Database.DataSource).FinalizeAsync(inFlight, first, new SalesEtl.Pipeline.Quality.QualityOptions(), CancellationToken.None);
        await run.StoreSnapshotAsync(Renamed);
        Assert.Equal(2L, await Database.ScalarAsync<long>($"SELECT fact_rows FROM late_product_matches WHERE run_id = '{inFlight}'"));
    }

    Task<long> Count(Guid runId) => Database.ScalarAsync<long>($"SELECT count(*) FROM late_product_matches WHERE run_id = '{runId}'");

    [Fact]
    public async Task Should_find_the_flagged_facts_through_their_partial_index_not_by_scanning_every_fact()
    {
        // A history of 50,000 facts of which 50 are flagged unknown_product, as after a few real runs.
        await Database.ScalarAsync<int>($"""
            INSERT INTO fact_sales (run_id, source_line, transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel, flags, snapshot_id)
            SELECT '{Guid.NewGuid()}', n, 'T' || n, 'C' || (n % 977), 'P' || (n % 101), '2026-11-01', 1, 10.00, 'web',
                   CASE WHEN n % 1000 = 0 THEN 8 ELSE 0 END, 1
            FROM generate_series(1, 50000) AS n;
            ANALYZE fact_sales;
            SELECT 1
            """);
        await using var explain = Database.DataSource.CreateCommand("EXPLAIN " + SalesEtl.ProductSync.Snapshots.ProductSnapshotStore.MatchLateProducts);
        explain.Parameters.AddWithValue("snapshot_id", 2L);
        explain.Parameters.AddWithValue("taken_at", DateTimeOffset.UtcNow);
        var plan = new System.Text.StringBuilder();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                plan.AppendLine(reader.GetString(0));
        }
        Assert.True(plan.ToString().Contains("ix_fact_sales_unknown_product", StringComparison.Ordinal), plan.ToString());
    }
}
