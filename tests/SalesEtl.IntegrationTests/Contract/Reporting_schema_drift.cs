using System.Text.Json;

namespace SalesEtl.IntegrationTests.Contract;

/// <summary>The quality report's schema_drift section: the sales header as read, the product API's item fields vs SPEC §2.</summary>
public sealed class Reporting_schema_drift(InProcessDatabase fixture) : IClassFixture<InProcessDatabase>
{
    [Fact]
    public async Task Should_report_extra_and_reordered_columns_and_added_missing_and_partial_product_fields()
    {
        await using var run = new InProcessRun(fixture.Database);
        var snapshot = await run.StoreSnapshotAsync("""
            [
              {"product_id":"P1","product_name":"Lamp","category":"home","base_price":10,"stock_quantity":3,"color":"red"},
              {"product_id":"P2","product_name":"Kettle","category":"home","base_price":20,"ean":"123"},
              "not an object"
            ]
            """);
        const string sales = "\uFEFF customer_id ,Transaction_ID,product_id,sale_date,quantity,total_price,sales_channel,notes,product_id\nC1,T1,P1,2026-11-01,1,10.00,web,x,y\n";

        var (runId, _) = await run.RunAsync(sales, snapshot, new Processing(10_000, 1, null));

        var json = await fixture.Database.ScalarAsync<string>($"SELECT report_json::text FROM quality_reports WHERE run_id = '{runId}'");
        using var report = JsonDocument.Parse(json);
        var drift = report.RootElement.GetProperty("schema_drift");
        var file = drift.GetProperty("sales_file");
        Assert.True(file.GetProperty("drift").GetBoolean());
        Assert.Equal(["customer_id", "Transaction_ID", "product_id", "sale_date", "quantity", "total_price", "sales_channel", "notes", "product_id"], Strings(file, "columns"));
        Assert.Equal(["notes", "product_id"], Strings(file, "extra_columns"));
        Assert.False(file.GetProperty("required_in_spec_order").GetBoolean());

        var api = drift.GetProperty("product_api");
        Assert.True(api.GetProperty("drift").GetBoolean());
        Assert.Equal(2, api.GetProperty("items").GetInt32());
        Assert.Equal(["color", "ean"], Strings(api, "added_fields"));
        Assert.Equal(["manufacturer"], Strings(api, "missing_fields"));
        Assert.Equal(1, api.GetProperty("partial_fields").GetProperty("stock_quantity").GetInt32());
    }

    [Fact]
    public async Task Should_report_no_drift_for_the_spec_columns_in_order_and_complete_items()
    {
        await using var run = new InProcessRun(fixture.Database);
        var snapshot = await run.StoreSnapshotAsync("""[{"product_id":"P1","product_name":"Lamp","category":"home","manufacturer":"Acme","base_price":10,"stock_quantity":3}]""");

        var (runId, _) = await run.RunAsync("transaction_id,customer_id,product_id,sale_date,quantity,total_price,sales_channel\nT1,C1,P1,2026-11-01,1,10.00,web\n", snapshot, new Processing(10_000, 1, null));

        var json = await fixture.Database.ScalarAsync<string>($"SELECT report_json::text FROM quality_reports WHERE run_id = '{runId}'");
        using var report = JsonDocument.Parse(json);
        var drift = report.RootElement.GetProperty("schema_drift");
        Assert.False(drift.GetProperty("sales_file").GetProperty("drift").GetBoolean());
        Assert.False(drift.GetProperty("product_api").GetProperty("drift").GetBoolean());
        Assert.Empty(drift.GetProperty("product_api").GetProperty("partial_fields").EnumerateObject());
    }

    static List<string?> Strings(JsonElement parent, string property) => [.. parent.GetProperty(property).EnumerateArray().Select(e => e.GetString())];
}
