using System.Globalization;
using System.Text.Json;
using SalesEtl.Pipeline.Products;

namespace SalesEtl.Pipeline.Tests.Products;

public class Normalizing_a_product
{
    internal static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static NormalizedProduct Kept(string json, bool stockInvalid = false)
    {
        var result = ProductNormalizer.Normalize(Json(json));
        Assert.Null(result.RejectReason);
        Assert.NotNull(result.Product);
        Assert.Equal(stockInvalid, result.StockInvalid);
        return result.Product;
    }

    private static void Rejected(string json, string reason, string? productId = null)
    {
        var result = ProductNormalizer.Normalize(Json(json));
        Assert.Null(result.Product);
        Assert.Equal(reason, result.RejectReason);
        Assert.Equal(productId, result.RejectedProductId);
        Assert.False(result.StockInvalid);
    }

    [Fact]
    public void Should_normalize_a_complete_item()
    {
        var product = Kept("""
            {"product_id":" p-100 ","product_name":"  Deluxe   Widget ","category":"hOME  &  gARDEN",
             "manufacturer":" Acme\tCorp ","base_price":19.999,"stock_quantity":12}
            """);

        Assert.Equal(new NormalizedProduct("P-100", "Deluxe Widget", "Home & Garden", "Acme Corp", 20.00m, 12), product);
    }

    // not_an_object.

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"product_id\":\"P1\",\"base_price\":1}]")]
    [InlineData("\"P1\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    public void Should_reject_an_item_that_is_not_an_object(string json)
    {
        Rejected(json, "not_an_object");
    }

    [Fact]
    public void Should_take_an_empty_object_as_an_object_without_id()
    {
        Rejected("{}", "missing_product_id");
    }

    // missing_product_id.

    [Theory]
    [InlineData("""{"base_price":1}""")]
    [InlineData("""{"product_id":null,"base_price":1}""")]
    [InlineData("""{"product_id":"","base_price":1}""")]
    [InlineData("""{"product_id":"   ","base_price":1}""")]
    [InlineData("""{"product_id":true,"base_price":1}""")]
    [InlineData("""{"product_id":{"id":"P1"},"base_price":1}""")]
    [InlineData("""{"productId":"P1","base_price":1}""")]
    [InlineData("""{"product_id":"","base_price":-1}""")]
    public void Should_reject_an_item_without_usable_id(string json)
    {
        Rejected(json, "missing_product_id");
    }

    [Theory]
    [InlineData("""{"product_id":"p1","base_price":1}""", "P1")]
    [InlineData("""{"product_id":"  Ab-9 ","base_price":1}""", "AB-9")]
    [InlineData("""{"product_id":123,"base_price":1}""", "123")]
    [InlineData("""{"product_id":"a b","base_price":1}""", "A B")]
    public void Should_trim_and_upper_case_the_id_of_a_string_or_number(string json, string expected)
    {
        Assert.Equal(expected, Kept(json).ProductId);
    }

    // invalid_base_price.

    [Theory]
    [InlineData("""{"product_id":"p1"}""")]
    [InlineData("""{"product_id":"p1","base_price":null}""")]
    [InlineData("""{"product_id":"p1","base_price":"abc"}""")]
    [InlineData("""{"product_id":"p1","base_price":""}""")]
    [InlineData("""{"product_id":"p1","base_price":"$5"}""")]
    [InlineData("""{"product_id":"p1","base_price":"1,000"}""")]
    [InlineData("""{"product_id":"p1","base_price":true}""")]
    [InlineData("""{"product_id":"p1","base_price":[1]}""")]
    [InlineData("""{"product_id":"p1","base_price":1e400}""")]
    [InlineData("""{"product_id":"p1","base_price":10000000000000000}""")]
    [InlineData("""{"product_id":"p1","base_price":"NaN","stock_quantity":-4}""")]
    public void Should_reject_a_base_price_that_is_missing_or_not_a_number(string json)
    {
        Rejected(json, "invalid_base_price", "P1");
    }

    // negative_base_price.

    [Theory]
    [InlineData("""{"product_id":"p1","base_price":-1}""")]
    [InlineData("""{"product_id":"p1","base_price":"-0.01"}""")]
    [InlineData("""{"product_id":"p1","base_price":-0.001}""")]
    public void Should_reject_a_negative_base_price(string json)
    {
        Rejected(json, "negative_base_price", "P1");
    }

    [Theory]
    [InlineData("""{"product_id":"p1","base_price":0}""", "0.00")]
    [InlineData("""{"product_id":"p1","base_price":"0"}""", "0.00")]
    [InlineData("""{"product_id":"p1","base_price":"-0"}""", "0.00")]
    [InlineData("""{"product_id":"p1","base_price":12.345}""", "12.35")]
    [InlineData("""{"product_id":"p1","base_price":12.344}""", "12.34")]
    [InlineData("""{"product_id":"p1","base_price":" 12.5 "}""", "12.50")]
    [InlineData("""{"product_id":"p1","base_price":"1.5e2"}""", "150.00")]
    [InlineData("""{"product_id":"p1","base_price":1.5e2}""", "150.00")]
    [InlineData("""{"product_id":"p1","base_price":9999999999999999.99}""", "9999999999999999.99")]
    public void Should_keep_a_base_price_of_zero_or_more_rounded_to_cents(string json, string expected)
    {
        Assert.Equal(expected, Kept(json).BasePrice.ToString(CultureInfo.InvariantCulture));
    }

    // stock_quantity.

    [Theory]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":5}""", 5)]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":0}""", 0)]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":3.0}""", 3)]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":"7"}""", 7)]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":" 8.0 "}""", 8)]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":2147483647}""", 2147483647)]
    public void Should_keep_a_whole_stock_of_zero_or_more(string json, int expected)
    {
        Assert.Equal(expected, Kept(json).StockQuantity);
    }

    [Theory]
    [InlineData("""{"product_id":"p1","base_price":1}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":null}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":""}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":"  "}""")]
    public void Should_take_a_missing_stock_as_unknown_not_invalid(string json)
    {
        Assert.Null(Kept(json, stockInvalid: false).StockQuantity);
    }

    [Theory]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":-1}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":"-3"}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":2.5}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":"2.5"}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":"many"}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":true}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":{}}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":2147483648}""")]
    [InlineData("""{"product_id":"p1","base_price":1,"stock_quantity":1e400}""")]
    public void Should_keep_the_product_with_null_stock_when_the_stock_is_invalid(string json)
    {
        Assert.Null(Kept(json, stockInvalid: true).StockQuantity);
    }

    // Text fields.

    [Theory]
    [InlineData("\"  Big   Widget  \"", "Big Widget")]
    [InlineData("\"Big\\t\\nWidget\"", "Big Widget")]
    [InlineData("\"\"", null)]
    [InlineData("\"   \"", null)]
    [InlineData("null", null)]
    [InlineData("false", null)]
    [InlineData("42", "42")]
    [InlineData("\"Zoë\u00A0Bolt\"", "Zoë\u00A0Bolt")]
    public void Should_trim_text_and_collapse_inner_whitespace(string value, string? expected)
    {
        var json = $$"""{"product_id":"p1","base_price":1,"product_name":{{value}},"manufacturer":{{value}}}""";

        var product = Kept(json);

        Assert.Equal(expected, product.ProductName);
        Assert.Equal(expected, product.Manufacturer);
    }

    [Theory]
    [InlineData("electronics", "Electronics")]
    [InlineData("HOME & GARDEN", "Home & Garden")]
    [InlineData("  sports   and  OUTDOORS ", "Sports And Outdoors")]
    [InlineData("e-books", "E-books")]
    [InlineData("toys\tgames", "Toys Games")]
    [InlineData("", null)]
    public void Should_write_the_category_in_title_case(string category, string? expected)
    {
        var json = $$"""{"product_id":"p1","base_price":1,"category":"{{category.Replace("\t", "\\t", StringComparison.Ordinal)}}"}""";

        Assert.Equal(expected, Kept(json).Category);
    }
}
