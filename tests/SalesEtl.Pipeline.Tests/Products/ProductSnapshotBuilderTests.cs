using System.Text.Json;
using SalesEtl.Pipeline.Products;

namespace SalesEtl.Pipeline.Tests.Products;

public class Building_a_product_snapshot
{
    private static ProductSnapshot Build(string itemsJson)
    {
        using var document = JsonDocument.Parse(itemsJson);
        return ProductSnapshotBuilder.Build(document.RootElement.EnumerateArray());
    }

    [Fact]
    public void Should_keep_the_later_of_two_items_with_the_same_id_and_count_it()
    {
        var snapshot = Build("""
            [
              {"product_id":"P1","product_name":"Old","base_price":1},
              {"product_id":"P2","product_name":"Other","base_price":2},
              {"product_id":" p1 ","product_name":"New","base_price":3}
            ]
            """);

        Assert.Equal(
            [new NormalizedProduct("P1", "New", null, null, 3.00m, null), new NormalizedProduct("P2", "Other", null, null, 2.00m, null)],
            snapshot.Products);
        Assert.Equal(new ProductSnapshotCounts(ItemsRead: 3, Products: 2, Rejected: 0, Duplicates: 1, InvalidStock: 0), snapshot.Counts);
    }

    [Fact]
    public void Should_list_rejected_items_with_number_id_reason_and_raw_json()
    {
        var snapshot = Build("""
            [
              {"product_id":"P1","base_price":1},
              "oops",
              {"product_name":"No id","base_price":1},
              {"product_id":"p4","base_price":-2},
              {"product_id":"p5","base_price":"abc"}
            ]
            """);

        Assert.Equal(
            [
                new ProductReject(2, null, "not_an_object", "\"oops\""),
                new ProductReject(3, null, "missing_product_id", """{"product_name":"No id","base_price":1}"""),
                new ProductReject(4, "P4", "negative_base_price", """{"product_id":"p4","base_price":-2}"""),
                new ProductReject(5, "P5", "invalid_base_price", """{"product_id":"p5","base_price":"abc"}"""),
            ],
            snapshot.Rejects);
        Assert.Equal(new ProductSnapshotCounts(5, 1, 4, 0, 0), snapshot.Counts);
    }

    [Fact]
    public void Should_not_let_a_rejected_item_replace_a_valid_one()
    {
        var snapshot = Build("""
            [
              {"product_id":"P1","base_price":1},
              {"product_id":"P1","base_price":-1}
            ]
            """);

        Assert.Equal(1.00m, snapshot.Products.Single().BasePrice);
        Assert.Equal(new ProductSnapshotCounts(2, 1, 1, 0, 0), snapshot.Counts);
    }

    [Fact]
    public void Should_count_invalid_stock_of_the_products_kept()
    {
        var snapshot = Build("""
            [
              {"product_id":"P1","base_price":1,"stock_quantity":-1},
              {"product_id":"P2","base_price":1,"stock_quantity":"x"},
              {"product_id":"P2","base_price":1,"stock_quantity":4},
              {"product_id":"P3","base_price":1,"stock_quantity":2.5},
              {"product_id":"P4","base_price":1}
            ]
            """);

        Assert.Equal([null, 4, null, null], snapshot.Products.Select(p => p.StockQuantity));
        Assert.Equal(new ProductSnapshotCounts(5, 4, 0, 1, 2), snapshot.Counts);
    }

    [Fact]
    public void Should_build_an_empty_snapshot_from_no_items()
    {
        var snapshot = Build("[]");

        Assert.Empty(snapshot.Products);
        Assert.Empty(snapshot.Rejects);
        Assert.Equal(new ProductSnapshotCounts(0, 0, 0, 0, 0), snapshot.Counts);
    }

    [Fact]
    public void Should_number_items_across_pages_added_one_by_one()
    {
        var builder = new ProductSnapshotBuilder();
        using var page1 = JsonDocument.Parse("""[{"product_id":"P1","base_price":1}]""");
        using var page2 = JsonDocument.Parse("""[{"product_id":"P2","base_price":1},{"base_price":1}]""");

        foreach (var item in page1.RootElement.EnumerateArray())
            builder.Add(item);
        foreach (var item in page2.RootElement.EnumerateArray())
            builder.Add(item);
        var snapshot = builder.Build();

        Assert.Equal(3, snapshot.Rejects.Single().ItemNumber);
        Assert.Equal(["P1", "P2"], snapshot.Products.Select(p => p.ProductId));
    }
}
