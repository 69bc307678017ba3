using System.Text.Json;
using SalesEtl.Pipeline.Quality;
using SalesEtl.TestSupport;

namespace SalesEtl.IntegrationTests.Contract;

/// <summary>
/// SPEC §4: each expectation is warn or block, and the run's outcome follows from them. A file with a reject rate of
/// 10 % (2 of 20 rows, over the default 5 %) is finalized by the real finalizer on PostgreSQL, once with the default
/// severities and once with the reject rate made blocking.
/// </summary>
public sealed class Judging_a_run_by_its_quality_expectations : IAsyncLifetime
{
    const string Products = """[{"product_id":"P1","product_name":"Lamp","category":"home","base_price":10}]""";

    static readonly string Sales =
        "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\n"
        + string.Concat(Enumerable.Range(1, 18).Select(i => $"T{i},C{i % 4},P1,2026-11-{i:00},1,10.00,web\n"))
        + "T19,C1,,2026-11-19,1,10.00,web\n"
        + "T20,C1,P1,2026-11-20,0,10.00,web\n";

    TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync("quality_expectations");

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Should_succeed_with_warnings_naming_the_reject_rate_when_it_only_warns()
    {
        var (runId, report) = await RunAsync(new QualityOptions());

        Assert.Equal("succeeded_with_warnings|expectation(s) failed: reject_rate|20|18|2|0", await StoredOutcomeAsync(runId));
        AssertReport(report, "succeeded_with_warnings", "expectation(s) failed: reject_rate", "warn");
    }

    [Fact]
    public async Task Should_fail_naming_the_reject_rate_when_it_blocks()
    {
        var (runId, report) = await RunAsync(new QualityOptions { RejectRateSeverity = ExpectationSeverity.Block });

        // What the finalizer stores for a blocked run: its report says failed and why, in the table, the stored JSON and
        // the export alike; the facts and metric tables are kept for tracing, under a report that says not to trust them.
        Assert.Equal("failed|blocking expectation(s) failed: reject_rate|20|18|2|0", await StoredOutcomeAsync(runId));
        Assert.Equal("failed", await database.ScalarAsync<string>($"SELECT report_json->>'outcome' FROM quality_reports WHERE run_id = '{runId}'"));
        AssertReport(report, "failed", "blocking expectation(s) failed: reject_rate", "block");
    }

    async Task<(Guid RunId, JsonElement Report)> RunAsync(QualityOptions quality)
    {
        await using var run = new InProcessRun(database);
        var snapshot = await run.StoreSnapshotAsync(Products);
        var (runId, exportDir) = await run.RunAsync(Sales, snapshot, new Processing(7, 1, null), quality);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(exportDir, "quality_report.json")));
        return (runId, report.RootElement.Clone());
    }

    Task<string> StoredOutcomeAsync(Guid runId) => database.ScalarAsync<string>(
        $"SELECT concat_ws('|', outcome, reason, rows_read, rows_accepted, rows_rejected, duplicates_dropped) FROM quality_reports WHERE run_id = '{runId}'");

    static void AssertReport(JsonElement report, string outcome, string reason, string rejectRateSeverity)
    {
        Assert.Equal(outcome, report.GetProperty("outcome").GetString());
        Assert.Equal(reason, report.GetProperty("reason").GetString());
        var expectations = report.GetProperty("expectations").EnumerateArray()
            .Select(e => $"{e.GetProperty("name").GetString()} {e.GetProperty("severity").GetString()} {e.GetProperty("passed").GetBoolean()} {e.GetProperty("observed").GetString()}")
            .ToList();
        Assert.Equal(
            [
                $"reject_rate {rejectRateSeverity} False 0.100000",
                "unknown_product_rate warn True 0.000000",
                "no_null_required_columns block True 0",
                "reconciliation block True facts 180.00, product_revenue 180.00, channel_performance 180.00",
            ],
            expectations);
    }
}
