using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

public class Resolving_a_sales_header
{
    [Fact]
    public void Should_find_the_required_columns_in_spec_order()
    {
        var resolution = SalesHeader.Resolve(
            ["transaction_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"]);

        Assert.Empty(resolution.MissingColumns);
        var header = resolution.Header!;
        Assert.Equal(
            [0, 1, 2, 3, 4, 5, 6, 7],
            new[] { header.TransactionId, header.CustomerId, header.ProductId, header.SaleDate, header.Quantity, header.TotalPrice, header.SalesChannel, header.FieldCount });
        Assert.Empty(header.ExtraColumns);
    }

    [Fact]
    public void Should_match_names_in_any_order_and_case_after_trimming_and_list_extra_columns()
    {
        var resolution = SalesHeader.Resolve(
            [" Sales_Channel ", "notes", "TOTAL_PRICE", "\tquantity", "Sale_Date", "product_id", " store ", "customer_ID", "Transaction_Id"]);

        var header = resolution.Header!;
        Assert.Equal(8, header.TransactionId);
        Assert.Equal(7, header.CustomerId);
        Assert.Equal(5, header.ProductId);
        Assert.Equal(4, header.SaleDate);
        Assert.Equal(3, header.Quantity);
        Assert.Equal(2, header.TotalPrice);
        Assert.Equal(0, header.SalesChannel);
        Assert.Equal(9, header.FieldCount);
        Assert.Equal(["notes", "store"], header.ExtraColumns);
    }

    [Fact]
    public void Should_strip_a_byte_order_mark_before_the_first_name()
    {
        var resolution = SalesHeader.Resolve(
            ["\uFEFFtransaction_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"]);

        Assert.Equal(0, resolution.Header!.TransactionId);
    }

    [Fact]
    public void Should_list_the_missing_columns_in_spec_order_and_give_no_header()
    {
        var resolution = SalesHeader.Resolve(["sales_channel", "quantity", "customer_id", "extra"]);

        Assert.Null(resolution.Header);
        Assert.Equal(["transaction_id", "product_id", "sale_date", "total_price"], resolution.MissingColumns);
    }

    [Fact]
    public void Should_miss_every_column_of_an_empty_header()
    {
        var resolution = SalesHeader.Resolve([]);

        Assert.Null(resolution.Header);
        Assert.Equal(
            ["transaction_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"],
            resolution.MissingColumns);
    }

    [Fact]
    public void Should_not_match_a_name_with_other_characters()
    {
        var resolution = SalesHeader.Resolve(
            ["transaction id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel", "\u00A0transaction_id"]);

        Assert.Equal(["transaction_id"], resolution.MissingColumns);
    }

    [Fact]
    public void Should_take_the_first_of_two_columns_with_a_required_name()
    {
        var resolution = SalesHeader.Resolve(
            ["transaction_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel", "Quantity"]);

        Assert.Equal(4, resolution.Header!.Quantity);
        Assert.Equal(["Quantity"], resolution.Header.ExtraColumns);
    }

    // DATA_CONTRACT_NOTES.md: ASCII case only; a dotless i is another letter.
    [Fact]
    public void Should_match_names_by_ascii_case_only()
    {
        var resolution = SalesHeader.Resolve(["TRANSACTION_ID", "transact\u0131on_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"]);

        Assert.NotNull(resolution.Header);
        Assert.Equal(0, resolution.Header.TransactionId);
        Assert.Equal(["transact\u0131on_id"], resolution.Header.ExtraColumns);
        Assert.Equal(["transaction_id"], SalesHeader.Resolve(["transact\u0131on_id", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"]).MissingColumns);
    }

    // Schema drift: the names as written and whether the required columns keep SPEC order.
    [Fact]
    public void Should_give_the_names_as_written_and_tell_whether_the_required_columns_are_in_spec_order()
    {
        var inOrder = SalesHeader.Resolve(["\uFEFF Transaction_ID", "notes", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"]);
        var shuffled = SalesHeader.Resolve(["customer_id", "transaction_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"]);

        Assert.Equal(["Transaction_ID", "notes", "customer_id", "product_id", "sale_date", "quantity", "total_price", "sales_channel"], inOrder.Names);
        Assert.True(inOrder.Header!.RequiredInSpecOrder);
        Assert.False(shuffled.Header!.RequiredInSpecOrder);
        Assert.Equal(["a", "b"], SalesHeader.Resolve([" a", "b "]).Names);
    }
}
