using System.Diagnostics;
using SalesEtl.EndToEnd.Tests.Reference;

namespace SalesEtl.EndToEnd.Tests.Distributed;

/// <summary>
/// The acceptance of the first complete path: a messy 1,000-row file through every service as its
/// own process, the saga and the real broker, checked table by table against the independent
/// reference computation of the test project.
/// </summary>
public sealed class Running_a_file_through_the_distributed_system(DistributedSystemFixture system, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<DistributedSystemFixture>
{
    [Fact]
    public async Task Should_load_every_metric_table_equal_to_the_reference_computation()
    {
        var salesFile = DistributedSystemFixture.FixtureFile("sales_1000.csv");
        var watch = Stopwatch.StartNew();
        var runId = await system.RunAsync(salesFile, chunkSize: 100);
        output.WriteLine($"etl run of the 1,000-row fixture took {watch.Elapsed.TotalSeconds:0.0} s end to end");

        var expected = ReferenceEtl.Run(salesFile, DistributedSystemFixture.FixtureFile("products.json"), DistributedSystemFixture.AsOf);
        var expectedDir = Path.Combine(Path.GetTempPath(), "sales-etl-e2e", $"{runId}-reference");
        ReferenceEtl.WriteExport(expected, expectedDir);
        var actualDir = await system.ExportAsync(runId);

        ExportComparison.AssertSameTables(expectedDir, actualDir);
        QualityReportComparison.AssertSameFigures(expected.Quality, actualDir);

        var status = await system.Topology.RunEtlAsync("status", runId.ToString());
        Assert.Equal(0, status.ExitCode);
        QualityReportComparison.AssertStatusShowsSameFigures(expected.Quality, status.StandardOutput);
        Assert.Contains("State      Succeeded (succeeded)", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"Rows       {expected.Quality.RowsRead:N0} read, {expected.Quality.RowsAccepted:N0} accepted, {expected.Quality.RowsRejected:N0} rejected, {expected.Quality.DuplicatesDropped:N0} duplicates dropped",
            status.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_give_identical_metrics_when_the_same_file_runs_twice()
    {
        var salesFile = DistributedSystemFixture.FixtureFile("sales_1000.csv");
        var first = await system.ExportAsync(await system.RunAsync(salesFile, chunkSize: 250));
        var second = await system.ExportAsync(await system.RunAsync(salesFile, chunkSize: 37));
        ExportComparison.AssertSameTables(first, second);
    }

    [Fact]
    public async Task Should_fail_a_file_missing_a_required_column_before_loading_any_row()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sales-missing-quantity-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "transaction_id,customer_id,product_id,sale_date,total_price,sales_channel\nT1,C1,P1,2026-01-01,10.00,web\n");
        var runId = await system.RunAsync(file, chunkSize: 100, expectedExitCode: 1);

        var status = await system.Topology.RunEtlAsync("status", runId.ToString());
        Assert.Contains("Failed at  ingest: The file lacks required column(s): quantity.", status.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0L, await system.Database.ScalarAsync<long>($"SELECT count(*) FROM staged_chunks WHERE run_id = '{runId}'"));
        Assert.Equal(0L, await system.Database.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id = '{runId}'"));
    }
}
