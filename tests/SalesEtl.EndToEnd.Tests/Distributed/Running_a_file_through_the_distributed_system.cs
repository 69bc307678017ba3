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

    [Fact]
    public async Task Should_follow_the_run_with_progress_summarize_it_and_list_it()
    {
        var salesFile = Path.Combine(Path.GetTempPath(), $"sales-tool-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(salesFile,
            "transaction_id,customer_id,product_id,quantity,total_price,sale_date,sales_channel\n" +
            "T1,C1,P001,2,196.12,2026-01-05,web\nT2,C2,P002,1,,2026-01-06,Store\nT3,C1,P001,1,98.06,2026-01-07,web\n");
        var run = await system.Topology.RunEtlAsync("run", salesFile, "--as-of", DistributedSystemFixture.AsOf.ToString("O"), "--chunk-size", "1", "--timeout", "300");
        Assert.True(run.ExitCode == 0, $"etl run: {run}\n{system.Topology.Logs}");
        Assert.True(Guid.TryParse(run.FirstLine, out var runId), $"The first line of etl run is not a run id: {run}");

        // Progress on stderr, one line per change, ending with the final state; the summary on stdout.
        var progress = run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(progress, line => line.StartsWith("Succeeded", StringComparison.Ordinal) && line.Contains("chunks staged 3/3, transformed 3/3", StringComparison.Ordinal));
        Assert.Contains($"Run        {runId}", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("State      Succeeded (succeeded)", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Rows       3 read, 3 accepted, 0 rejected, 0 duplicates dropped", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("price_imputed 1", run.StandardOutput, StringComparison.Ordinal);

        var runs = await system.Topology.RunEtlAsync("runs", "--limit", "100");
        Assert.Equal(0, runs.ExitCode);
        var listed = runs.StandardOutput.Split('\n').SingleOrDefault(line => line.StartsWith(runId.ToString(), StringComparison.Ordinal));
        Assert.True(listed is not null, $"etl runs does not list {runId}: {runs}");
        Assert.Contains("Succeeded", listed, StringComparison.Ordinal);
        Assert.EndsWith(salesFile, listed.TrimEnd(), StringComparison.Ordinal);
    }
}
