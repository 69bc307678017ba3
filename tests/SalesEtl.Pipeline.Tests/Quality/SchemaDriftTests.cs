using SalesEtl.Pipeline.Quality;

namespace SalesEtl.Pipeline.Tests.Quality;

public class Comparing_product_fields_with_the_spec
{
    [Fact]
    public void Should_report_no_drift_when_every_item_has_every_field()
    {
        var counts = SchemaDrift.ExpectedProductFields.ToDictionary(f => f, _ => 40);

        var drift = SchemaDrift.CompareProductFields(40, counts);

        Assert.False(drift.HasDrift);
        Assert.Empty(drift.PartialFields);
    }

    [Fact]
    public void Should_list_added_fields_missing_fields_and_fields_some_items_lack()
    {
        var counts = new Dictionary<string, int>
        {
            ["product_id"] = 10, ["product_name"] = 10, ["category"] = 10, ["base_price"] = 10, ["stock_quantity"] = 7,
            ["color"] = 2, ["Category"] = 1, ["brand"] = 10,
        };

        var drift = SchemaDrift.CompareProductFields(10, counts);

        Assert.True(drift.HasDrift);
        Assert.Equal(["Category", "brand", "color"], drift.AddedFields);
        Assert.Equal(["manufacturer"], drift.MissingFields);
        Assert.Equal(new Dictionary<string, int> { ["stock_quantity"] = 7 }, drift.PartialFields);
    }

    [Fact]
    public void Should_call_nothing_missing_when_the_api_served_no_item()
    {
        Assert.False(SchemaDrift.CompareProductFields(0, new Dictionary<string, int>()).HasDrift);
    }

    [Fact]
    public void Should_see_drift_in_a_sales_header_with_extra_or_reordered_columns()
    {
        Assert.False(new SalesFileDrift(SchemaDrift.ExpectedSalesColumns, [], true).HasDrift);
        Assert.True(new SalesFileDrift([.. SchemaDrift.ExpectedSalesColumns, "notes"], ["notes"], true).HasDrift);
        Assert.True(new SalesFileDrift([.. SchemaDrift.ExpectedSalesColumns.Reverse()], [], false).HasDrift);
    }
}
