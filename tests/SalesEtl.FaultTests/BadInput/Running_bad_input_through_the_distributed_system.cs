using System.Text;
using SalesEtl.TestSupport;

namespace SalesEtl.FaultTests.BadInput;

/// <summary>
/// Bad input through every service as a process (issue 5, part 6): each file or product API ends with a clear
/// reason or with its bad rows rejected with a reason; never a crash loop (no dead letter), never a lost row
/// (rows read = accepted + rejected + duplicates).
/// </summary>
public sealed class Running_bad_input_through_the_distributed_system(BadInputSystemFixture system)
    : IClassFixture<BadInputSystemFixture>
{
    const string Header = BadInputSystemFixture.Header;

    [Fact]
    public async Task Should_fail_an_empty_file_with_a_clear_reason()
    {
        var file = await system.FileAsync("empty.csv", []);

        var (runId, status) = await system.RunAsync(file, expectedExitCode: 1);

        Assert.Contains("Failed at  ingest: The sales file has no header row: it is empty or has only blank lines.", status, StringComparison.Ordinal);
        Assert.Equal(0, await system.CountAsync("staged_chunks", runId));
        await system.AssertNoDeadLettersAsync();
    }

    [Fact]
    public async Task Should_succeed_with_zero_rows_for_a_header_only_file()
    {
        var file = await system.FileAsync("header-only.csv", Header + "\r\n");

        var (runId, status) = await system.RunAsync(file, expectedExitCode: 0);

        Assert.Contains("State      Succeeded", status, StringComparison.Ordinal);
        Assert.Contains("Rows       0 read, 0 accepted, 0 rejected, 0 duplicates dropped", status, StringComparison.Ordinal);
        Assert.Equal(0, await system.CountAsync("fact_sales", runId));
        await system.AssertNoDeadLettersAsync();
    }

    [Fact]
    public async Task Should_fail_a_file_without_header_naming_every_missing_column()
    {
        var file = await system.FileAsync("no-header.csv", BadInputSystemFixture.GoodRows(5));

        var (runId, status) = await system.RunAsync(file, expectedExitCode: 1);

        Assert.Contains(
            "Failed at  ingest: The file lacks required column(s): transaction_id, customer_id, product_id, sale_date, quantity, total_price, sales_channel. "
            + "No row was loaded. Its first line names none of them: the file has no header row, or is not a sales file.",
            status, StringComparison.Ordinal);
        Assert.Equal(0, await system.CountAsync("staged_chunks", runId));
    }

    [Fact]
    public async Task Should_fail_a_png_image_as_binary()
    {
        // A PNG signature and the start of its IHDR chunk: NUL bytes at once.
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00];
        var file = await system.FileAsync("image.csv", [.. png, .. RandomBytes(20_000, seed: 1)]);

        var (runId, status) = await system.RunAsync(file, expectedExitCode: 1);

        Assert.Contains("Failed at  ingest: The file looks binary (it holds NUL bytes in its first 8000 bytes), not CSV text", status, StringComparison.Ordinal);
        Assert.Equal(0, await system.CountAsync("staged_chunks", runId));
        await system.AssertNoDeadLettersAsync();
    }

    [Fact]
    public async Task Should_fail_a_file_of_random_bytes_as_binary()
    {
        var file = await system.FileAsync("random.csv", RandomBytes(1_000_000, seed: 2));

        var (_, status) = await system.RunAsync(file, expectedExitCode: 1);

        Assert.Contains("Failed at  ingest: The file looks binary", status, StringComparison.Ordinal);
        await system.AssertNoDeadLettersAsync();
    }

    [Fact]
    public async Task Should_keep_a_row_with_Latin_1_bytes_decoded_as_replacement_characters()
    {
        var bytes = Encoding.UTF8.GetBytes(Header + "\n" + BadInputSystemFixture.GoodRows(20) + "L1,Jos#,P1,2026-03-01,1,10.00,web\n");
        bytes[Array.LastIndexOf(bytes, (byte)'#')] = 0xE9; // é in Latin-1, not UTF-8

        var (runId, status) = await system.RunAsync(await system.FileAsync("latin1.csv", bytes), expectedExitCode: 0);

        Assert.Contains("Rows       21 read, 21 accepted, 0 rejected", status, StringComparison.Ordinal);
        Assert.Equal("Jos\uFFFD", await system.Database.ScalarAsync<string>($"SELECT customer_id FROM fact_sales WHERE run_id = '{runId}' AND transaction_id = 'L1'"));
        await system.AssertNoDeadLettersAsync();
    }

    [Fact]
    public async Task Should_reject_the_row_of_a_10_MB_field_and_load_the_others()
    {
        var path = Path.Combine(Path.GetDirectoryName(await system.FileAsync("placeholder", ""))!, "ten-mb-field.csv");
        await using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)))
        {
            await writer.WriteAsync(Header + "\n" + BadInputSystemFixture.GoodRows(30));
            await writer.WriteAsync("BIG1,C1,P1,2026-03-01,1,10.00,\"");
            await writer.WriteAsync(new string('z', 10 * 1024 * 1024));
            await writer.WriteAsync("\"\n" + BadInputSystemFixture.GoodRows(10, prefix: "H"));
        }

        var (runId, status) = await system.RunAsync(path, expectedExitCode: 0);

        Assert.Contains("Rows       41 read, 40 accepted, 1 rejected", status, StringComparison.Ordinal);
        Assert.Contains("Rejects    malformed_row 1", status, StringComparison.Ordinal);
        var raw = await system.Database.ScalarAsync<string>($"SELECT reason || ' ' || source_line || ' ' || raw_text FROM rejected_rows WHERE run_id = '{runId}'");
        Assert.StartsWith("malformed_row 32 BIG1,C1,P1,2026-03-01,1,10.00,\"zzz", raw, StringComparison.Ordinal);
        Assert.EndsWith($"… [record cut: {10 * 1024 * 1024 + 32} bytes, longer than the limit of {4 * 1024 * 1024} bytes]", raw, StringComparison.Ordinal);
        Assert.Equal(33L, await system.Database.ScalarAsync<long>($"SELECT source_line FROM fact_sales WHERE run_id = '{runId}' AND transaction_id = 'H1'"));
        await system.AssertNoDeadLettersAsync();
    }

    [Fact]
    public async Task Should_reject_rows_with_unbalanced_quotes_and_load_the_others()
    {
        var text = Header + "\n" + BadInputSystemFixture.GoodRows(40)
            + "Q1,C1,P1,2026-03-01,1,10.00,we\"b\n"          // a stray quote: this row only
            + "Q2,\"C1\"x,P1,2026-03-01,1,10.00,web\n"       // text after a closing quote: this row only
            + "Q3,C1,P1,2026-03-01,1,10.00,web\n"
            + "Q4,\"C1,P1,2026-03-01,1,10.00,web\n"          // never closed: the rest of the file is this one record
            + "Q5,C1,P1,2026-03-01,1,10.00,web\n";

        var (runId, status) = await system.RunAsync(await system.FileAsync("unbalanced.csv", text), expectedExitCode: 0);

        Assert.Contains("Rows       44 read, 41 accepted, 3 rejected", status, StringComparison.Ordinal);
        var rejects = await system.Database.ScalarAsync<string>($"SELECT string_agg(source_line || ':' || reason, ',' ORDER BY source_line) FROM rejected_rows WHERE run_id = '{runId}'");
        Assert.Equal("42:malformed_row,43:malformed_row,45:malformed_row", rejects);
        Assert.Equal("Q4,\"C1,P1,2026-03-01,1,10.00,web\nQ5,C1,P1,2026-03-01,1,10.00,web",
            await system.Database.ScalarAsync<string>($"SELECT raw_text FROM rejected_rows WHERE run_id = '{runId}' AND source_line = 45"));
        await system.AssertNoDeadLettersAsync();
    }

    [Fact]
    public async Task Should_fail_naming_the_line_when_a_quote_never_closes_over_the_record_limit()
    {
        var path = Path.Combine(Path.GetDirectoryName(await system.FileAsync("placeholder", ""))!, "unclosed-big.csv");
        await using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)))
        {
            await writer.WriteAsync(Header + "\n" + BadInputSystemFixture.GoodRows(20) + "U1,\"C1,P1,2026-03-01,1,10.00,web\n");
            for (var i = 0; i < 160_000; i++) // about 5 MB, over the 4 MiB record limit
                await writer.WriteAsync($"R{i},C1,P1,2026-03-01,1,10.00,web\n");
        }

        var (_, status) = await system.RunAsync(path, expectedExitCode: 1);

        Assert.Contains("Failed at  ingest: The sales file cannot be read past line 22: a quote opened there is never closed", status, StringComparison.Ordinal);
        await system.AssertNoDeadLettersAsync();
    }

    [Fact]
    public async Task Should_load_a_file_of_10000_columns()
    {
        var names = Enumerable.Range(0, 10_000).Select(i => $"extra_{i}").ToArray();
        string[] required = ["transaction_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"];
        int[] positions = [9_999, 3, 5_000, 0, 7_777, 42, 1_234];
        for (var c = 0; c < required.Length; c++)
            names[positions[c]] = required[c];
        var text = new StringBuilder(string.Join(',', names)).Append('\n');
        for (var row = 1; row <= 20; row++)
        {
            var values = Enumerable.Range(0, 10_000).Select(i => $"x{i}").ToArray();
            string[] fields = [$"W{row}", $"C{row % 3}", row % 2 == 0 ? "P1" : "P2", "2026-05-01", "2", row % 2 == 0 ? "20.00" : "51.00", "store"];
            for (var c = 0; c < required.Length; c++)
                values[positions[c]] = fields[c];
            text.Append(string.Join(',', values)).Append('\n');
        }

        var (runId, status) = await system.RunAsync(await system.FileAsync("wide.csv", text.ToString()), expectedExitCode: 0);

        Assert.Contains("Rows       20 read, 20 accepted, 0 rejected", status, StringComparison.Ordinal);
        Assert.Equal(20, await system.CountAsync("fact_sales", runId, "sales_channel = 'store' AND quantity = 2"));
        await system.AssertNoDeadLettersAsync();
    }

    [Fact]
    public async Task Should_fail_a_file_over_the_size_limit_before_reading_it()
    {
        var path = Path.Combine(Path.GetDirectoryName(await system.FileAsync("placeholder", ""))!, "too-big.csv");
        await using (var stream = new FileStream(path, FileMode.Create))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(Header + "\n"));
            stream.SetLength(BadInputSystemFixture.MaxFileBytes + 1); // sparse: the size is checked before any byte is read
        }

        var (runId, status) = await system.RunAsync(path, expectedExitCode: 1);

        Assert.Contains($"bytes, over the limit of {BadInputSystemFixture.MaxFileBytes:N0}.", status, StringComparison.Ordinal);
        Assert.Contains("Failed at  ingest: The source file", status, StringComparison.Ordinal);
        Assert.Equal(0, await system.CountAsync("staged_chunks", runId));
    }

    [Fact]
    public async Task Should_fail_the_run_when_the_product_api_keeps_answering_invalid_json()
    {
        var catalog = await StartCatalogAsync("invalid-json", BadInputSystemFixture.ProductsJson, new Dictionary<string, string> { ["Catalog__Faults__InvalidJsonRate"] = "1" });
        var file = await system.FileAsync("for-invalid-json.csv", Header + "\n" + BadInputSystemFixture.GoodRows(5));

        var (runId, status) = await system.RunAsync(file, 1, "--products-url", catalog.BaseAddress.ToString().TrimEnd('/'));

        Assert.Contains($"Failed at  product-sync: Product API {catalog.BaseAddress} returned an unreadable page 1 3 times in a row (truncated or invalid JSON)", status, StringComparison.Ordinal);
        Assert.Equal(0, await system.CountAsync("fact_sales", runId));
        await system.AssertNoDeadLettersAsync();
    }

    [Fact]
    public async Task Should_reject_product_items_of_wrong_types_with_reasons_and_go_on()
    {
        const string products = """
            [
              {"product_id": "P1", "product_name": "Widget", "category": "tools", "manufacturer": "Acme", "base_price": 10.00, "stock_quantity": 100},
              {"product_id": 2, "product_name": 12345, "category": ["not", "text"], "base_price": "25.50", "stock_quantity": "many"},
              {"product_id": {"id": "P3"}, "base_price": 1.00},
              {"product_id": "P4", "base_price": "ten dollars"},
              {"product_id": "P5", "base_price": true},
              {"product_id": "P6", "base_price": -3},
              "P7",
              null,
              [1, 2, 3]
            ]
            """;
        var catalog = await StartCatalogAsync("wrong-types", products);
        var file = await system.FileAsync("for-wrong-types.csv", Header + "\nT1,C1,P1,2026-03-01,2,20.00,web\nT2,C2,2,2026-03-02,1,25.50,web\n");

        var (runId, status) = await system.RunAsync(file, 0, "--products-url", catalog.BaseAddress.ToString().TrimEnd('/'));

        Assert.Contains("Rows       2 read, 2 accepted, 0 rejected", status, StringComparison.Ordinal);
        var snapshot = await system.Database.ScalarAsync<long>($"SELECT snapshot_id FROM batch_runs WHERE run_id = '{runId}'");
        var rejects = await system.Database.ScalarAsync<string>($"SELECT string_agg(item_no || ':' || reason, ',' ORDER BY item_no) FROM product_rejects WHERE snapshot_id = {snapshot}");
        Assert.Equal("3:missing_product_id,4:invalid_base_price,5:invalid_base_price,6:negative_base_price,7:not_an_object,8:not_an_object,9:not_an_object", rejects);
        // The item with a numeric id and wrong-typed text is kept: the id as written, the category dropped, the stock unknown.
        Assert.Equal("2|12345||25.50|", await system.Database.ScalarAsync<string>(
            $"SELECT concat_ws('|', product_id, product_name, coalesce(category, ''), base_price, coalesce(stock_quantity::text, '')) FROM product_versions WHERE product_id = '2' AND valid_from_snapshot = {snapshot}"));
        await system.AssertNoDeadLettersAsync();
    }

    [Theory]
    [InlineData("Ingestor__MaxRecordBytes", "10", "MaxRecordBytes")]
    [InlineData("Inputs__MaxFileBytes", "0", "MaxFileBytes")]
    public async Task Should_refuse_to_start_an_ingestor_whose_limits_are_out_of_range(string key, string value, string named)
    {
        var ingestor = system.Topology.StartService(EtlTopology.Ingestor, new Dictionary<string, string> { [key] = value }, name: $"ingestor-bad-{named}");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ingestor.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains("exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orchestrator")]
    [InlineData("ingestor")]
    public async Task Should_refuse_to_start_outside_development_without_allowed_input_folders(string service)
    {
        var spec = service == EtlTopology.Orchestrator.Name ? EtlTopology.Orchestrator : EtlTopology.Ingestor;
        var refused = system.Topology.StartService(spec, Production, name: $"{service}-production-without-roots");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => refused.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains("exited with code", error.Message, StringComparison.Ordinal);
        Assert.Contains("Inputs:AllowedRoots must name at least one folder outside the Development environment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_start_outside_development_with_an_allowed_input_folder()
    {
        var environment = new Dictionary<string, string>(Production) { ["Inputs__AllowedRoots__0"] = Path.GetTempPath() };
        var ingestor = system.Topology.StartService(EtlTopology.Ingestor, environment, name: "ingestor-production-with-a-root");
        try
        {
            await ingestor.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        }
        finally
        {
            // Not a worker of the other tests' runs.
            ingestor.Kill();
        }
    }

    static readonly Dictionary<string, string> Production = new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DOTNET_ENVIRONMENT"] = "Production" };

    async Task<ServiceProcess> StartCatalogAsync(string name, string productsJson, IReadOnlyDictionary<string, string>? faults = null)
    {
        var products = await system.FileAsync($"products-{name}.json", productsJson);
        var environment = new Dictionary<string, string>(faults ?? new Dictionary<string, string>()) { ["Catalog__ProductsFile"] = products };
        var catalog = system.Topology.StartService(EtlTopology.Catalog, environment, name: $"catalog-{name}");
        await catalog.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), "/health/live");
        return catalog;
    }

    static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
