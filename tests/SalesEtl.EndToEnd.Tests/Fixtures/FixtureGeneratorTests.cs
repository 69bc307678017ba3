using SalesEtl.EndToEnd.Tests.Reference;
using Xunit.Abstractions;

using SalesEtl.SampleData;

namespace SalesEtl.EndToEnd.Tests.Fixtures;

public sealed class Generating_fixtures(ITestOutputHelper output)
{
    /// <summary>Set to 1 to rewrite the committed fixtures from the generator instead of checking them.</summary>
    public const string RegenerateVariable = "ETL_REGENERATE_FIXTURES";

    public static readonly SampleDataOptions Committed = new() { Rows = 1000 };

    private static ReferenceResult RunReference(SampleDataOptions options)
    {
        using var dir = new TempDirectory();
        var (sales, products) = new SalesDataGenerator(options).WriteTo(dir.Path);
        return ReferenceEtl.Run(sales, products, options.AsOf);
    }

    [Fact]
    public void Should_write_the_same_bytes_for_the_same_options()
    {
        var a = SalesDataGenerator.Generate(Committed with { Rows = 500, Crlf = true, Bom = true, ShuffleColumns = true });
        var b = SalesDataGenerator.Generate(Committed with { Rows = 500, Crlf = true, Bom = true, ShuffleColumns = true });
        var c = SalesDataGenerator.Generate(Committed with { Rows = 500, Crlf = true, Bom = true, ShuffleColumns = true, Seed = 7 });

        Assert.Equal(a, b);
        Assert.NotEqual(a.SalesCsv, c.SalesCsv);
    }

    [Fact]
    public void Should_hold_every_reject_reason_flag_and_segment_in_the_committed_fixture()
    {
        var r = RunReference(Committed);
        var q = r.Quality;
        output.WriteLine($"rows_read={q.RowsRead} accepted={q.RowsAccepted} rejected={q.RowsRejected} duplicates={q.DuplicatesDropped}");
        output.WriteLine(string.Join(", ", q.RejectedByReason.Select(x => $"{x.Key}={x.Value}")));
        output.WriteLine(string.Join(", ", q.Flags.Select(x => $"{x.Key}={x.Value}")));
        output.WriteLine(string.Join(", ", r.CustomerSegments.Select(x => $"{x.Segment}={x.Customers}")));
        output.WriteLine($"reject_rate={q.RejectRate} unknown_product_rate={q.UnknownProductRate} net={q.NetRevenue}");
        output.WriteLine($"products={r.Products.Products.Count} items={r.Products.ItemsRead} rejects={r.Products.Rejects.Count} dup={r.Products.DuplicateIds} invalid_stock={r.Products.InvalidStockQuantities}");
        output.WriteLine("months: " + string.Join(", ", r.ChannelMonthly.Select(m => m.Month).Distinct()));
        output.WriteLine("channels: " + string.Join(", ", r.ChannelPerformance.Select(m => $"{m.Channel}={m.Transactions}")));

        // The counts the fixture README promises (the generator plants each case on purpose).
        Assert.Equal((1000L, 949L, 40L, 11L), (q.RowsRead, q.RowsAccepted, q.RowsRejected, q.DuplicatesDropped));
        Assert.Equal(new Dictionary<string, long>
        {
            ["malformed_row"] = 5, ["missing_transaction_id"] = 4, ["missing_product_id"] = 4, ["invalid_sale_date"] = 5,
            ["future_sale_date"] = 4, ["invalid_quantity"] = 5, ["zero_quantity"] = 3, ["invalid_total_price"] = 3,
            ["missing_total_price"] = 3, ["duplicate_conflict"] = 4,
        }, q.RejectedByReason);
        Assert.Equal(new Dictionary<string, long>
        {
            ["sign_corrected"] = 14, ["price_imputed"] = 19, ["unknown_channel"] = 19, ["unknown_product"] = 11, ["price_outlier"] = 11,
        }, q.Flags);
        Assert.Equal(
            [new CustomerSegmentRow("frequent", 34), new CustomerSegmentRow("occasional", 95),
             new CustomerSegmentRow("one_time", 244), new CustomerSegmentRow("returns_only", 4)],
            r.CustomerSegments);
        Assert.Equal((44, 3, 1, 3), (r.Products.ItemsRead, r.Products.Rejects.Count, r.Products.DuplicateIds, r.Products.InvalidStockQuantities));
        Assert.True(q.RejectRate <= 0.05m, "the quick start should pass the default reject-rate expectation");
        Assert.True(q.UnknownProductRate <= 0.02m, "the quick start should pass the default unknown-product expectation");
        Assert.True(q.Reconciles);
        Assert.True(r.ChannelMonthly.Select(m => m.Month).Distinct().Count() >= 6);
        Assert.Contains(r.ProductRevenue, p => p.ProductName is null);
        Assert.Contains(r.InventoryByCategory, g => g.Key is null);
        Assert.Contains(r.InventoryByManufacturer, g => g.Key is null);
        Assert.Equal(40, r.Products.Products.Count);
    }

    [Theory]
    [InlineData("yyyy-MM-dd", @"^\d{4}-\d{2}-\d{2}$")]
    [InlineData("yyyy-MM-dd HH:mm", @"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")]
    [InlineData("yyyy-MM-dd HH:mm:ss", @"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")]
    [InlineData("ISO without offset", @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")]
    [InlineData("ISO with Z", @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    [InlineData("ISO with fraction", @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z$")]
    [InlineData("ISO with +hh:mm", @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+\d{2}:\d{2}$")]
    [InlineData("ISO with -hh:mm", @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-\d{2}:\d{2}$")]
    [InlineData("yyyy/MM/dd", @"^\d{4}/\d{2}/\d{2}$")]
    [InlineData("MM/dd/yyyy", @"^\d{2}/\d{2}/\d{4}$")]
    [InlineData("M/d/yyyy", @"^\d/\d{1,2}/\d{4}$")]
    [InlineData("dd MMM yyyy", @"^\d{2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$")]
    [InlineData("dd MMMM yyyy", @"^\d{2} (June|July|August|September|October|November) \d{4}$")]
    [InlineData("MMM dd, yyyy", @"^(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2}, \d{4}$")]
    [InlineData("MMMM dd, yyyy", @"^(June|July|August|September|October|November) \d{2}, \d{4}$")]
    [InlineData("epoch seconds", @"^\d{10}$")]
    public void Should_use_every_date_format_in_the_committed_fixture(string format, string pattern)
    {
        var dates = CommittedColumn("sale_date");

        Assert.True(dates.Count(d => System.Text.RegularExpressions.Regex.IsMatch(d, pattern)) >= 3, format);
    }

    [Fact]
    public void Should_write_messy_values_in_the_committed_fixture()
    {
        var prices = CommittedColumn("total_price");
        var channels = CommittedColumn("sales_channel");
        var text = SalesDataGenerator.Generate(Committed).SalesCsv;

        Assert.Contains(prices, p => p.Contains('$', StringComparison.Ordinal) && p.Contains(',', StringComparison.Ordinal));
        Assert.Contains(prices, p => p.Contains('€', StringComparison.Ordinal));
        Assert.Contains(prices, p => p.Contains('£', StringComparison.Ordinal));
        Assert.Contains(prices, p => p.StartsWith('(') && p.EndsWith(')'));
        Assert.Contains(prices, p => p.Length > 0 && char.IsWhiteSpace(p[0]));
        Assert.Contains(channels, c => c.Contains('_', StringComparison.Ordinal));
        Assert.Contains(channels, c => c.Contains('-', StringComparison.Ordinal));
        Assert.Contains(channels, c => c.Any(char.IsUpper) && c.Any(char.IsLower));
        Assert.Contains("\n\n", text, StringComparison.Ordinal);                  // blank lines
        Assert.Contains("\"\"", text, StringComparison.Ordinal);                  // doubled quotes
        Assert.Contains(ReferenceCsvReader.Parse(text), r => r.Fields?.Any(f => f.Contains('\n', StringComparison.Ordinal)) == true);
        Assert.Contains(CommittedColumn("customer_id"), c => c.Contains(',', StringComparison.Ordinal));
    }

    /// <summary>The raw values of one column over the well-formed records of the committed sales file.</summary>
    private static List<string> CommittedColumn(string name)
    {
        var records = ReferenceCsvReader.Parse(SalesDataGenerator.Generate(Committed).SalesCsv).ToList();
        var index = records[0].Fields!.Select(h => h.Trim().ToLowerInvariant()).ToList().IndexOf(name);
        return [.. records.Skip(1).Where(r => r.Fields?.Count == records[0].Fields!.Count).Select(r => r.Fields![index])];
    }

    [Fact]
    public void Should_give_the_same_metrics_whatever_the_BOM_line_ends_and_column_order()
    {
        var plain = RunReference(Committed with { Rows = 400 });
        var messy = RunReference(Committed with { Rows = 400, Bom = true, Crlf = true, ShuffleColumns = true, ProductsAsBareArray = true });

        Assert.Equal(plain.ProductRevenue, messy.ProductRevenue);
        Assert.Equal(plain.ChannelPerformance, messy.ChannelPerformance);
        Assert.Equal(plain.ChannelMonthly, messy.ChannelMonthly);
        Assert.Equal(plain.CustomerFrequency, messy.CustomerFrequency);
        Assert.Equal(plain.CustomerSegments, messy.CustomerSegments);
        Assert.Equal(plain.InventoryValuation, messy.InventoryValuation);
        Assert.Equal(plain.InventoryByCategory, messy.InventoryByCategory);
        Assert.Equal(plain.InventoryByManufacturer, messy.InventoryByManufacturer);
        Assert.Equal(plain.Rejects.Select(x => x.Reason), messy.Rejects.Select(x => x.Reason));
    }

    [Fact]
    public void Should_give_the_same_metrics_with_drift_columns_and_blank_lines_of_spaces()
    {
        var plain = RunReference(Committed with { Rows = 400 });
        var drifted = RunReference(Committed with { Rows = 400, ExtraColumns = true, ShuffleColumns = true });

        Assert.Equal(plain.ProductRevenue, drifted.ProductRevenue);
        Assert.Equal(plain.CustomerFrequency, drifted.CustomerFrequency);
        Assert.Equal(plain.Quality.RejectedByReason, drifted.Quality.RejectedByReason);
        var header = SalesDataGenerator.Generate(Committed with { Rows = 400, ExtraColumns = true }).SalesCsv.Split('\n')[0];
        Assert.EndsWith(",notes, Store_Region,COUPON_CODE ", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_plant_every_case_in_each_block_of_a_file_larger_than_one_block()
    {
        const int rows = (2 * SalesDataGenerator.BlockRows) + 1000;
        var r = RunReference(Committed with { Rows = rows, Seed = 11, Crlf = true });

        Assert.Equal(rows, r.Quality.RowsRead);
        Assert.All(r.Quality.RejectedByReason, reason => Assert.True(reason.Value >= 3 * 3, $"{reason.Key}: {reason.Value}"));
        Assert.All(r.Quality.Flags, flag => Assert.True(flag.Value >= 3 * 3, $"{flag.Key}: {flag.Value}"));
        Assert.All(r.CustomerSegments, segment => Assert.True(segment.Customers > 0, segment.Segment));
        Assert.True(r.Quality.RejectRate <= 0.05m && r.Quality.UnknownProductRate <= 0.02m);
    }

    [Fact]
    public void Should_make_a_few_products_sell_far_more_than_the_rest()
    {
        var r = RunReference(Committed with { Rows = 5000, Seed = 5 });

        // Sold products by accepted rows, most first: the top tenth of them hold over 40 % of the rows (about 58 % here,
        // Zipf over the catalog); products drawn uniformly would give the top tenth about 10 %.
        var rowsPerProduct = r.Accepted.GroupBy(s => s.ProductId).Select(g => g.Count()).OrderDescending().ToList();
        var top = (int)Math.Ceiling(rowsPerProduct.Count / 10.0);
        var share = (double)rowsPerProduct.Take(top).Sum() / r.Accepted.Count;
        output.WriteLine($"{rowsPerProduct.Count} products sold; the top {top} hold {share:P1} of {r.Accepted.Count} accepted rows");
        Assert.True(share > 0.40, $"the top {top} of {rowsPerProduct.Count} products hold only {share:P1} of the accepted rows");
    }

    internal sealed class MemoryWatchingWriter : TextWriter
    {
        public long Characters { get; private set; }
        public long PeakBytes { get; private set; }
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => Count(1);

        public override void Write(string? value) => Count(value?.Length ?? 0);

        // Every ~500,000 characters, what is still reachable (a full collection first, so garbage does not count).
        void Count(int characters)
        {
            Characters += characters;
            if (Characters % 500_000 < characters)
                PeakBytes = Math.Max(PeakBytes, GC.GetTotalMemory(forceFullCollection: true));
        }
    }

    [Fact]
    public void Should_match_the_committed_fixture_files()
    {
        var fixture = SalesDataGenerator.Generate(Committed);
        var root = RepositoryRoot();
        var targets = new[]
        {
            (Path.Combine(root, "samples", "sales.csv"), fixture.SalesCsv),
            (Path.Combine(root, "samples", "products.json"), fixture.ProductsJson),
            (Path.Combine(root, "tests", "SalesEtl.EndToEnd.Tests", "Fixtures", "sales_1000.csv"), fixture.SalesCsv),
            (Path.Combine(root, "tests", "SalesEtl.EndToEnd.Tests", "Fixtures", "products.json"), fixture.ProductsJson),
        };

        if (Environment.GetEnvironmentVariable(RegenerateVariable) == "1")
        {
            foreach (var (path, text) in targets)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text, new System.Text.UTF8Encoding(false));
            }
        }

        foreach (var (path, text) in targets)
            Assert.True(File.ReadAllText(path) == text, $"{path} differs from the generator's output; run the tests with {RegenerateVariable}=1 to rewrite it.");
    }

    [Fact]
    public void Should_copy_the_fixture_to_the_test_output()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Fixtures");

        var r = ReferenceEtl.Run(Path.Combine(dir, "sales_1000.csv"), Path.Combine(dir, "products.json"), SalesDataGenerator.DefaultAsOf);

        Assert.Equal(1000, r.Quality.RowsRead);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Microservices.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Runs alone (no other test allocating in this process meanwhile), since it measures the process's managed heap.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

[Collection(nameof(MemoryMeasurement))]
public sealed class Generating_a_large_fixture(ITestOutputHelper output)
{
    [Fact]
    public void Should_stream_without_memory_growing_with_the_rows()
    {
        // 200,000 rows are ~14 MB of CSV (28 MB as .NET text); the generator holds one block (5,000 rows) at a time.
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var writer = new Generating_fixtures.MemoryWatchingWriter();
        new SalesDataGenerator(new SampleDataOptions { Rows = 200_000, ExtraColumns = true }).Write(writer, TextWriter.Null);

        var growth = writer.PeakBytes - baseline;
        output.WriteLine($"{writer.Characters / 1e6:0.0} M characters, peak managed heap growth {growth / 1e6:0.0} MB");
        Assert.True(writer.Characters > 10_000_000);
        Assert.True(growth < writer.Characters, $"peak managed heap grew by {growth:N0} bytes for {writer.Characters:N0} characters written");
    }
}
