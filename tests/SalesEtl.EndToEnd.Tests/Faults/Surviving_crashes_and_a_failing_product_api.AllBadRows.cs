using System.Globalization;
using System.Text;
using SalesEtl.EndToEnd.Tests.Reference;
using SalesEtl.SampleData;

namespace SalesEtl.EndToEnd.Tests.Faults;

public sealed partial class Surviving_crashes_and_a_failing_product_api
{
    /// <summary>A row breaking each row rule that needs no earlier row (SPEC §1, rules 1–9), in rule order.</summary>
    static readonly (string Reason, Func<int, string> Row)[] BadRows =
    [
        (RejectReasons.MalformedRow, i => $"B{i},C{i % 50},P001,2026-03-01,1,10.00"),
        (RejectReasons.MissingTransactionId, i => $" ,C{i % 50},P001,2026-03-01,1,10.00,web"),
        (RejectReasons.MissingProductId, i => $"B{i},C{i % 50},,2026-03-01,1,10.00,web"),
        (RejectReasons.InvalidSaleDate, i => $"B{i},C{i % 50},P001,31/31/2026,1,10.00,web"),
        (RejectReasons.FutureSaleDate, i => $"B{i},C{i % 50},P001,2030-01-01,1,10.00,web"),
        (RejectReasons.InvalidQuantity, i => $"B{i},C{i % 50},P001,2026-03-01,1.5,10.00,web"),
        (RejectReasons.ZeroQuantity, i => $"B{i},C{i % 50},P001,2026-03-01,0,10.00,web"),
        (RejectReasons.InvalidTotalPrice, i => $"B{i},C{i % 50},P001,2026-03-01,1,ten,web"),
        (RejectReasons.MissingTotalPrice, i => $"B{i},C{i % 50},NO-SUCH-PRODUCT,2026-03-01,1,,web"),
    ];

    /// <summary>
    /// Every row of the file is rejected, for nine reasons: the quality gate decides the outcome (a reject rate over
    /// its threshold is a warning by default, SPEC §4), every row is in the rejects with its reason, no row is lost,
    /// the run's sales metrics are empty, and <c>etl status</c> says why.
    /// </summary>
    [Fact]
    public async Task Should_reject_every_row_of_a_file_of_bad_rows_with_its_reason_and_explain_the_outcome()
    {
        const int rowsPerReason = 200;
        var folder = Path.Combine(system.Folder, "all-bad");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "sales.csv");
        var csv = new StringBuilder("transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\n");
        for (var i = 0; i < rowsPerReason * BadRows.Length; i++)
            csv.Append(BadRows[i % BadRows.Length].Row(i)).Append('\n');
        await File.WriteAllTextAsync(file, csv.ToString());
        var expected = ReferenceEtl.Run(file, system.ProductsFile, SalesDataGenerator.DefaultAsOf);
        Assert.Equal(0, expected.Quality.RowsAccepted);
        Assert.Equal(BadRows.ToDictionary(b => b.Reason, _ => (long)rowsPerReason), expected.Quality.RejectedByReason.Where(r => r.Value > 0).ToDictionary());
        var expectedExport = Path.Combine(folder, "expected");
        ReferenceEtl.WriteExport(expected, expectedExport);

        var started = DateTimeOffset.UtcNow;
        var measured = await system.AssertCompletedLikeAnUndisturbedRunAsync(system.StartRun(file), expectedExport, expected.Quality.RowsRead);

        var run = measured.Run;
        Assert.Equal(("SucceededWithWarnings", "succeeded_with_warnings"), (run.CurrentState, run.Outcome));
        Assert.Equal((0L, expected.Quality.RowsRead, 0L), (run.RowsAccepted, run.RowsRejected, run.DuplicatesDropped));
        Assert.Equal(expected.Quality.RowsRead, await CountAsync("rejected_rows", run.CorrelationId));
        foreach (var table in new[] { "fact_sales", "product_revenue", "channel_performance", "channel_monthly", "customer_frequency" })
            Assert.True(await CountAsync(table, run.CorrelationId) == 0, $"{table} has rows of a run that accepted none");
        Assert.Equal(0L, await system.Database.ScalarAsync<long>($"SELECT coalesce(sum(customers), 0)::bigint FROM customer_segments WHERE run_id = '{run.CorrelationId}'"));
        Assert.Equal(0L, await system.Database.ScalarAsync<long>($"SELECT count(*) FROM inventory_valuation WHERE run_id = '{run.CorrelationId}' AND units_sold <> 0"));

        var status = await system.Topology.RunEtlAsync("status", run.CorrelationId.ToString());
        Assert.True(status.ExitCode == 0, status.ToString());
        var rows = expected.Quality.RowsRead.ToString("N0", CultureInfo.InvariantCulture);
        Assert.Contains("State      SucceededWithWarnings (succeeded_with_warnings)", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"Rows       {rows} read, 0 accepted, {rows} rejected, 0 duplicates dropped", status.StandardOutput, StringComparison.Ordinal);
        foreach (var (reason, _) in BadRows)
            Assert.Contains($"{reason} {rowsPerReason}", status.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"FAIL reject_rate\s+1\.000000 \(expected <= 0\.05, warn\)", status.StandardOutput);

        FaultTable.Record(output, measured with { Scenario = "a file whose rows are all bad (1,800 rows, 9 reasons)", FaultAt = started, UndisturbedSeconds = null });
    }

    Task<long> CountAsync(string table, Guid runId) => system.Database.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE run_id = '{runId}'");
}
