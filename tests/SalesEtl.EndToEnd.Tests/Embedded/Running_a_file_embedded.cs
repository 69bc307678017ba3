using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SalesEtl.EndToEnd.Tests.Distributed;
using SalesEtl.EndToEnd.Tests.Reference;
using SalesEtl.TestSupport;

namespace SalesEtl.EndToEnd.Tests.Embedded;

/// <summary>
/// <c>etl run --embedded</c> (the consumers and the saga in the tool's process, on SQLite) needs no server: its export
/// equals the independent reference computation, and <c>status</c>, <c>runs</c> and <c>export</c> read its database.
/// </summary>
public sealed class Running_a_file_embedded(Xunit.Abstractions.ITestOutputHelper output)
{
    static readonly IReadOnlyDictionary<string, string> NoSettings = new Dictionary<string, string>();
    static string AsOf => DistributedSystem.AsOf.ToString("O", CultureInfo.InvariantCulture);

    internal static string NewFolder(string name) => Path.Combine(Path.GetTempPath(), "sales-etl-e2e", $"{name}-{Guid.NewGuid():N}");

    internal static async Task<Guid> RunEmbeddedAsync(string salesFile, string database, int chunkSize, int expectedExitCode = 0, params string[] extra)
    {
        var result = await EtlTopology.RunEtlAsync(NoSettings,
            ["run", salesFile, "--embedded", "--db", database, "--as-of", AsOf, "--chunk-size", chunkSize.ToString(CultureInfo.InvariantCulture), "--timeout", "300", .. extra]);
        Assert.True(result.ExitCode == expectedExitCode, $"etl run --embedded: {result}");
        Assert.True(Guid.TryParse(result.FirstLine, out var runId), $"The first line of etl run is not a run id: {result}");
        return runId;
    }

    internal static async Task<string> ExportEmbeddedAsync(Guid runId, string database)
    {
        var outDir = NewFolder($"{runId}-embedded");
        var result = await EtlTopology.RunEtlAsync(NoSettings, "export", runId.ToString(), "--out", outDir, "--embedded", "--db", database);
        Assert.True(result.ExitCode == 0, $"etl export --embedded: {result}");
        return outDir;
    }

    [Fact]
    public async Task Should_export_every_table_equal_to_the_reference_computation_for_a_generated_messy_file()
    {
        var dir = NewFolder("embedded-generated");
        var generate = await EtlTopology.RunEtlAsync(NoSettings, "generate", "--rows", "2500", "--out", dir, "--bom", "--crlf", "--shuffle-columns", "--extra-columns");
        Assert.True(generate.ExitCode == 0, generate.ToString());
        var salesFile = Path.Combine(dir, "sales.csv");
        var database = Path.Combine(dir, "embedded.db");

        var watch = Stopwatch.StartNew();
        // Products: products.json next to the sales file (the generator wrote it), the default of --products.
        var runId = await RunEmbeddedAsync(salesFile, database, chunkSize: 97);
        output.WriteLine($"etl run --embedded of 2,500 messy rows took {watch.Elapsed.TotalSeconds:0.0} s");

        var expected = ReferenceEtl.Run(salesFile, Path.Combine(dir, "products.json"), DistributedSystem.AsOf);
        var expectedDir = NewFolder("embedded-generated-reference");
        ReferenceEtl.WriteExport(expected, expectedDir);
        var actualDir = await ExportEmbeddedAsync(runId, database);
        ExportComparison.AssertSameTables(expectedDir, actualDir);
        QualityReportComparison.AssertSameFigures(expected.Quality, actualDir);
    }

    [Fact]
    public async Task Should_tell_exact_duplicates_from_conflicts_by_their_normalized_content()
    {
        // The SQLite twin of the finalization's duplicate check, on the pairs PostgreSQL's is tested with
        // (Contract.Telling_duplicates_from_conflicts): pair i as ids Di on lines 2 + 2i and 3 + 2i of one file.
        var dir = NewFolder("embedded-duplicates");
        Directory.CreateDirectory(dir);
        var pairs = DuplicatePairs.All;
        var file = Path.Combine(dir, "sales.csv");
        await File.WriteAllTextAsync(file, DuplicatePairs.Header + "\n"
            + string.Concat(pairs.Select((pair, i) => $"D{i}{pair.First[2..]}\nD{i}{pair.Second[2..]}\n")));
        var products = Path.Combine(dir, "products.json");
        await File.WriteAllTextAsync(products, $"{{\"items\": {DuplicatePairs.Products}}}");
        var database = Path.Combine(dir, "embedded.db");

        var runId = await RunEmbeddedAsync(file, database, chunkSize: 5, extra: ["--products", products]);

        var exportDir = await ExportEmbeddedAsync(runId, database);
        var rejects = File.ReadAllLines(Path.Combine(exportDir, "rejects.csv")).Skip(1).Select(line => string.Join(',', line.Split(',').Take(2)));
        Assert.Equal(pairs.Select((pair, i) => (pair, i)).Where(p => p.pair.Conflicts).Select(p => $"{3 + 2 * p.i},duplicate_conflict"), rejects);
        using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(exportDir, "quality_report.json")));
        var conflicts = pairs.Count(p => p.Conflicts);
        Assert.Equal([2 * pairs.Count, pairs.Count, conflicts, pairs.Count - conflicts],
            new[] { "rows_read", "rows_accepted", "rows_rejected", "duplicates_dropped" }.Select(n => report.RootElement.GetProperty(n).GetInt32()));
    }

    [Fact]
    public async Task Should_give_the_same_tables_as_the_reference_for_the_fixture_in_a_database_used_before()
    {
        // Two runs in one database: the second sync diffs against the first snapshot's versions.
        var database = Path.Combine(NewFolder("embedded-reused"), "embedded.db");
        var products = DistributedSystem.FixtureFile("products.json");
        var salesFile = DistributedSystem.FixtureFile("sales_1000.csv");
        var first = await RunEmbeddedAsync(salesFile, database, chunkSize: 250, extra: ["--products", products]);
        var second = await RunEmbeddedAsync(salesFile, database, chunkSize: 37, extra: ["--products", products]);

        var expected = ReferenceEtl.Run(salesFile, products, DistributedSystem.AsOf);
        var expectedDir = NewFolder("embedded-fixture-reference");
        ReferenceEtl.WriteExport(expected, expectedDir);
        ExportComparison.AssertSameTables(expectedDir, await ExportEmbeddedAsync(first, database));
        ExportComparison.AssertSameTables(expectedDir, await ExportEmbeddedAsync(second, database));

        var status = await EtlTopology.RunEtlAsync(NoSettings, "status", second.ToString(), "--embedded", "--db", database);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("State      Succeeded (succeeded)", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"Rows       {expected.Quality.RowsRead:N0} read, {expected.Quality.RowsAccepted:N0} accepted, {expected.Quality.RowsRejected:N0} rejected, {expected.Quality.DuplicatesDropped:N0} duplicates dropped",
            status.StandardOutput, StringComparison.Ordinal);

        var runs = await EtlTopology.RunEtlAsync(NoSettings, "runs", "--embedded", "--db", database);
        Assert.True(runs.ExitCode == 0, runs.ToString());
        Assert.Contains(first.ToString(), runs.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(second.ToString(), runs.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_exit_1_and_fail_at_ingest_for_a_file_missing_a_required_column()
    {
        var dir = NewFolder("embedded-missing-quantity");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "sales.csv");
        await File.WriteAllTextAsync(file, "transaction_id,customer_id,product_id,sale_date,total_price,sales_channel\nT1,C1,P1,2026-01-01,10.00,web\n");
        var database = Path.Combine(dir, "embedded.db");
        var runId = await RunEmbeddedAsync(file, database, chunkSize: 100, expectedExitCode: 1, extra: ["--products", DistributedSystem.FixtureFile("products.json")]);

        var status = await EtlTopology.RunEtlAsync(NoSettings, "status", runId.ToString(), "--embedded", "--db", database);
        Assert.Contains("State      Failed", status.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Failed at  ingest: The file lacks required column(s): quantity.", status.StandardOutput, StringComparison.Ordinal);
    }
}
