using System.Diagnostics;
using System.Text.Json;
using SalesEtl.EndToEnd.Tests.Reference;

namespace SalesEtl.EndToEnd.Tests.Distributed;

/// <summary>
/// Generated messy files (BOM, CRLF, shuffled and extra columns) and degenerate files through every service as its own
/// process, with three transformer instances, checked against the independent reference computation.
/// </summary>
public sealed class Running_messy_files_through_the_distributed_system(MessyFilesFixture system, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<MessyFilesFixture>
{
    static readonly string[] Required = ["transaction_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"];

    static string NewFolder(string name) => Path.Combine(Path.GetTempPath(), "sales-etl-e2e", $"{name}-{Guid.NewGuid():N}");

    [Fact]
    public async Task Should_equal_the_reference_on_a_generated_file_with_bom_crlf_shuffled_and_extra_columns()
    {
        var dir = NewFolder("generated");
        var generate = await system.Topology.RunEtlAsync("generate", "--rows", "2500", "--out", dir, "--bom", "--crlf", "--shuffle-columns", "--extra-columns");
        Assert.True(generate.ExitCode == 0, generate.ToString());
        var salesFile = Path.Combine(dir, "sales.csv");
        // The default seed writes the catalog the topology's catalog stand-in serves.
        Assert.Equal(File.ReadAllBytes(DistributedSystem.FixtureFile("products.json")), File.ReadAllBytes(Path.Combine(dir, "products.json")));
        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(salesFile)[..3]);

        var watch = Stopwatch.StartNew();
        var runId = await system.RunAsync(salesFile, chunkSize: 97);
        output.WriteLine($"etl run of 2,500 messy rows on {system.Transformers} transformers took {watch.Elapsed.TotalSeconds:0.0} s");

        var expected = ReferenceEtl.Run(salesFile, DistributedSystem.FixtureFile("products.json"), DistributedSystem.AsOf);
        var expectedDir = NewFolder("generated-reference");
        ReferenceEtl.WriteExport(expected, expectedDir);
        var actualDir = await system.ExportAsync(runId);
        ExportComparison.AssertSameTables(expectedDir, actualDir);
        QualityReportComparison.AssertSameFigures(expected.Quality, actualDir);

        // Schema drift: the extra columns as written (trimmed), in file order; the required ones out of SPEC order.
        var header = File.ReadLines(salesFile).First().TrimStart('\uFEFF').Split(',').Select(n => n.Trim()).ToList();
        var extra = header.Where(n => !Required.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        Assert.Equal(3, extra.Count);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(actualDir, "quality_report.json")));
        var sales = report.RootElement.GetProperty("schema_drift").GetProperty("sales_file");
        Assert.True(sales.GetProperty("drift").GetBoolean());
        Assert.Equal(extra, sales.GetProperty("extra_columns").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(header, sales.GetProperty("columns").EnumerateArray().Select(e => e.GetString()));
        var inOrder = Required.Select(r => header.FindIndex(n => n.Equals(r, StringComparison.OrdinalIgnoreCase))).SequenceEqual(
            Required.Select(r => header.FindIndex(n => n.Equals(r, StringComparison.OrdinalIgnoreCase))).Order());
        Assert.Equal(inOrder, sales.GetProperty("required_in_spec_order").GetBoolean());

        var status = await system.Topology.RunEtlAsync("status", runId.ToString());
        Assert.Contains($"Drift      sales file: extra columns {string.Join(", ", extra)}", status.StandardOutput, StringComparison.Ordinal);
        // The fixture catalog has an item without product_id and one without stock_quantity: partial, not missing.
        Assert.Contains("           product API: of 44 items only some have product_id in 43, stock_quantity in 43", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"Rows       {expected.Quality.RowsRead:N0} read, {expected.Quality.RowsAccepted:N0} accepted", status.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_fail_an_empty_file_with_a_clear_reason_before_loading_any_row()
    {
        var file = Path.Combine(NewFolder("empty"), "empty.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, []);

        var runId = await system.RunAsync(file, chunkSize: 100, expectedExitCode: 1);

        var status = await system.Topology.RunEtlAsync("status", runId.ToString());
        Assert.Contains("Failed at  ingest: The sales file has no header row: it is empty or has only blank lines.", status.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0L, await system.Database.ScalarAsync<long>($"SELECT count(*) FROM staged_chunks WHERE run_id = '{runId}'"));
        Assert.Equal(0L, await system.Database.ScalarAsync<long>($"SELECT count(*) FROM fact_sales WHERE run_id = '{runId}'"));
    }

    [Fact]
    public async Task Should_fail_naming_every_missing_column_in_spec_order()
    {
        var file = Path.Combine(NewFolder("missing"), "missing.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, "\uFEFFSALES_CHANNEL,total_price,transaction_id,product_id,sale_date,notes\r\nweb,1.00,T1,P001,2026-01-01,x\r\n");

        var runId = await system.RunAsync(file, chunkSize: 100, expectedExitCode: 1);

        var status = await system.Topology.RunEtlAsync("status", runId.ToString());
        Assert.Contains("Failed at  ingest: The file lacks required column(s): customer_id, quantity. No row was loaded.", status.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0L, await system.Database.ScalarAsync<long>($"SELECT count(*) FROM staged_chunks WHERE run_id = '{runId}'"));
    }

    [Fact]
    public async Task Should_succeed_with_zero_rows_for_a_header_only_file()
    {
        var dir = NewFolder("header-only");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "header-only.csv");
        await File.WriteAllTextAsync(file, "transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\r\n\r\n");

        var runId = await system.RunAsync(file, chunkSize: 100);

        var expected = ReferenceEtl.Run(file, DistributedSystem.FixtureFile("products.json"), DistributedSystem.AsOf);
        var expectedDir = NewFolder("header-only-reference");
        ReferenceEtl.WriteExport(expected, expectedDir);
        var actualDir = await system.ExportAsync(runId);
        ExportComparison.AssertSameTables(expectedDir, actualDir);
        QualityReportComparison.AssertSameFigures(expected.Quality, actualDir);
        var status = await system.Topology.RunEtlAsync("status", runId.ToString());
        Assert.Contains("Rows       0 read, 0 accepted, 0 rejected, 0 duplicates dropped", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Drift      sales file: none", status.StandardOutput, StringComparison.Ordinal);
    }
}
