using System.Globalization;
using SalesEtl.Pipeline.Sales;
using static SalesEtl.Pipeline.Tests.Sales.SaleRows;

namespace SalesEtl.Pipeline.Tests.Sales;

public class Normalizing_a_sale
{
    private static decimal Money(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void Should_accept_a_clean_row_as_it_is()
    {
        var sale = Accepted(Row(line: 7));

        Assert.Equal(
            new NormalizedSale(7, "T1", "C1", "P1", new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), 2, 20.00m, "online", SaleFlags.None, "raw"),
            sale);
        Assert.Equal(DateTimeKind.Utc, sale.SaleDateUtc.Kind);
    }

    // Rule 1: malformed_row.

    [Fact]
    public void Should_reject_a_malformed_record()
    {
        Rejected(Row(malformed: true), "malformed_row");
        Rejected(new RawSale(3, true, "\"x\"y", null, null, null, null, null, null, null), "malformed_row");
    }

    // Rule 2: missing_transaction_id.

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\r\n")]
    public void Should_reject_a_missing_transaction_id(string? transactionId)
    {
        Rejected(Row(transactionId: transactionId), "missing_transaction_id");
    }

    [Theory]
    [InlineData("T1", "T1")]
    [InlineData("  T1\t", "T1")]
    [InlineData("t 1", "t 1")]
    [InlineData("\u00A0", "\u00A0")]
    public void Should_keep_a_present_transaction_id_trimmed(string transactionId, string expected)
    {
        Assert.Equal(expected, Accepted(Row(transactionId: transactionId)).TransactionId);
    }

    // Rule 3: missing_product_id.

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Should_reject_a_missing_product_id(string? productId)
    {
        Rejected(Row(productId: productId), "missing_product_id");
    }

    [Theory]
    [InlineData("P1", "P1")]
    [InlineData(" p1 ", "P1")]
    [InlineData("ab-9x", "AB-9X")]
    public void Should_keep_a_present_product_id_trimmed_and_upper_cased(string productId, string expected)
    {
        Assert.Equal(expected, Accepted(Row(productId: productId, totalPrice: "1.00")).ProductId);
    }

    // Rule 4: invalid_sale_date.

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("not a date")]
    [InlineData("2024-02-30")]
    [InlineData("31/12/2023")]
    [InlineData("2024-05-01T10:00:00+25:00")]
    public void Should_reject_a_sale_date_in_no_accepted_format(string? saleDate)
    {
        Rejected(Row(saleDate: saleDate), "invalid_sale_date");
    }

    [Theory]
    [InlineData("2024-05-01", "2024-05-01T00:00:00.0000000Z")]
    [InlineData(" 05/01/2024 ", "2024-05-01T00:00:00.0000000Z")]
    [InlineData("2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00.0000000Z")]
    [InlineData("1714557600", "2024-05-01T10:00:00.0000000Z")]
    public void Should_store_the_sale_date_in_utc(string saleDate, string expected)
    {
        var sale = Accepted(Row(saleDate: saleDate));

        Assert.Equal(expected, sale.SaleDateUtc.ToString("O", CultureInfo.InvariantCulture));
    }

    // Rule 5: future_sale_date (as-of is 2024-06-01T12:00:00Z).

    [Theory]
    [InlineData("2024-06-02T12:00:01Z")]
    [InlineData("2024-06-02T12:00:00.000001Z")]
    [InlineData("2024-06-02T13:00:00+00:30")]
    [InlineData("2024-06-03")]
    [InlineData("2030-01-01")]
    public void Should_reject_a_sale_date_strictly_later_than_as_of_plus_a_day(string saleDate)
    {
        Rejected(Row(saleDate: saleDate), "future_sale_date");
    }

    [Theory]
    [InlineData("2024-06-02T12:00:00Z")]
    [InlineData("2024-06-02T14:00:00+02:00")]
    [InlineData("2024-06-02")]
    [InlineData("2024-06-01T12:00:00Z")]
    [InlineData("2024-06-02T11:59:59.9999999Z")]
    [InlineData("2024-06-02T12:00:00.0000009Z")] // below the microsecond: dropped, so not later
    public void Should_accept_a_sale_date_up_to_as_of_plus_a_day(string saleDate)
    {
        Accepted(Row(saleDate: saleDate));
    }

    // Rule 6: invalid_quantity.

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("two")]
    [InlineData("2.5")]
    [InlineData("-1.5")]
    [InlineData("1e2")]
    [InlineData("1,000")]
    [InlineData("3000000000")]
    public void Should_reject_a_quantity_that_is_not_a_whole_number(string? quantity)
    {
        Rejected(Row(quantity: quantity), "invalid_quantity");
    }

    [Theory]
    [InlineData("3.0", 3)]
    [InlineData(" 3 ", 3)]
    [InlineData("-2", -2)]
    [InlineData("+1", 1)]
    public void Should_accept_a_whole_quantity(string quantity, int expected)
    {
        Assert.Equal(expected, Accepted(Row(quantity: quantity)).Quantity);
    }

    // Rule 7: zero_quantity.

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("0.0")]
    [InlineData("-0.0")]
    [InlineData(" 00 ")]
    public void Should_reject_a_quantity_of_zero(string quantity)
    {
        Rejected(Row(quantity: quantity), "zero_quantity");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("-1")]
    public void Should_accept_a_quantity_of_one_either_way(string quantity)
    {
        Accepted(Row(quantity: quantity));
    }

    // Rule 8: invalid_total_price.

    [Theory]
    [InlineData("abc")]
    [InlineData("12.34.56")]
    [InlineData("12,50")]
    [InlineData("--5")]
    [InlineData("(-5)")]
    [InlineData("5-")]
    [InlineData("N/A")]
    [InlineData("10000000000000000")]
    public void Should_reject_a_present_total_price_that_is_not_a_number(string totalPrice)
    {
        Rejected(Row(totalPrice: totalPrice), "invalid_total_price");
        Rejected(Row(productId: "UNKNOWN", totalPrice: totalPrice), "invalid_total_price");
    }

    [Theory]
    [InlineData("$1,234.50", "1234.50")]
    [InlineData("€ 20", "20.00")]
    [InlineData("£20.5", "20.50")]
    [InlineData(" 20 ", "20.00")]
    public void Should_accept_a_formatted_total_price(string totalPrice, string expected)
    {
        Assert.Equal(Money(expected), Accepted(Row(totalPrice: totalPrice)).TotalPrice);
    }

    // Rule 9: missing_total_price.

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Should_reject_an_empty_total_price_of_an_unknown_product(string? totalPrice)
    {
        Rejected(Row(productId: "NOPE", totalPrice: totalPrice), "missing_total_price");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Should_impute_an_empty_total_price_of_a_known_product(string? totalPrice)
    {
        var sale = Accepted(Row(productId: "p2", quantity: "3", totalPrice: totalPrice));

        Assert.Equal(7.50m, sale.TotalPrice);
        Assert.Equal(SaleFlags.PriceImputed, sale.Flags);
    }

    // Rule order: the first failing rule is the reason.

    [Theory]
    [InlineData(true, "", "", "bad", "bad", "bad", "P1", "malformed_row")]
    [InlineData(false, "", "", "bad", "bad", "bad", "P1", "missing_transaction_id")]
    [InlineData(false, "T1", "", "bad", "bad", "bad", "P1", "missing_product_id")]
    [InlineData(false, "T1", "NOPE", "bad", "bad", "bad", "", "invalid_sale_date")]
    [InlineData(false, "T1", "NOPE", "2099-01-01", "bad", "bad", "", "future_sale_date")]
    [InlineData(false, "T1", "NOPE", "2024-05-01", "bad", "bad", "", "invalid_quantity")]
    [InlineData(false, "T1", "NOPE", "2024-05-01", "0", "bad", "", "zero_quantity")]
    [InlineData(false, "T1", "NOPE", "2024-05-01", "1", "bad", "", "invalid_total_price")]
    [InlineData(false, "T1", "NOPE", "2024-05-01", "1", "", "", "missing_total_price")]
    public void Should_report_the_first_rule_that_fails(
        bool malformed, string transactionId, string productId, string saleDate, string quantity, string totalPrice,
        string channel, string reason)
    {
        Rejected(Row(transactionId, "C1", productId, saleDate, quantity, totalPrice, channel, malformed: malformed), reason);
    }

    // Customer id: trimmed, case kept, empty is anonymous.

    [Theory]
    [InlineData("c9", "c9")]
    [InlineData(" C9 ", "C9")]
    [InlineData("", null)]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void Should_keep_the_customer_id_case_and_make_empty_anonymous(string? customerId, string? expected)
    {
        Assert.Equal(expected, Accepted(Row(customerId: customerId)).CustomerId);
    }

    // Money rounding.

    [Theory]
    [InlineData("2", "20.005", "20.01")]
    [InlineData("2", "20.004", "20.00")]
    [InlineData("-2", "-20.005", "-20.01")]
    [InlineData("-1", "(1,234.565)", "-1234.57")]
    public void Should_round_the_total_price_half_away_from_zero(string quantity, string totalPrice, string expected)
    {
        Assert.Equal(Money(expected), Accepted(Row(quantity: quantity, totalPrice: totalPrice)).TotalPrice);
    }

    // Flag sign_corrected.

    [Theory]
    [InlineData("2", "-20.00", "20.00")]
    [InlineData("2", "(20.00)", "20.00")]
    [InlineData("-2", "20.00", "-20.00")]
    [InlineData("-2", "$20", "-20.00")]
    public void Should_make_the_sign_follow_the_quantity_and_flag_it(string quantity, string totalPrice, string expected)
    {
        var sale = Accepted(Row(quantity: quantity, totalPrice: totalPrice));

        Assert.Equal(Money(expected), sale.TotalPrice);
        Assert.Equal(SaleFlags.SignCorrected, sale.Flags & SaleFlags.SignCorrected);
    }

    [Theory]
    [InlineData("2", "20.00", "20.00")]
    [InlineData("-2", "-20.00", "-20.00")]
    [InlineData("-2", "(20.00)", "-20.00")]
    [InlineData("2", "0.00", "0.00")]
    [InlineData("-2", "0", "0.00")]
    [InlineData("-2", "0.004", "0.00")]
    [InlineData("2", "-0.004", "0.00")]
    [InlineData("2", "-0", "0.00")]
    public void Should_not_flag_a_sign_that_already_follows_the_quantity_or_a_zero_price(
        string quantity, string totalPrice, string expected)
    {
        var sale = Accepted(Row(productId: "FREE", quantity: quantity, totalPrice: totalPrice));

        Assert.Equal(Money(expected), sale.TotalPrice);
        Assert.Equal(SaleFlags.None, sale.Flags & SaleFlags.SignCorrected);
    }

    // Flag price_imputed.

    [Theory]
    [InlineData("P2", "3", "7.50")]
    [InlineData("P2", "-3", "-7.50")]
    [InlineData("P1", "1", "10.00")]
    [InlineData("FREE", "4", "0.00")]
    public void Should_impute_quantity_times_base_price_and_flag_it(string productId, string quantity, string expected)
    {
        var sale = Accepted(Row(productId: productId, quantity: quantity, totalPrice: ""));

        Assert.Equal(Money(expected), sale.TotalPrice);
        Assert.Equal(SaleFlags.PriceImputed, sale.Flags);
    }

    [Fact]
    public void Should_not_flag_a_price_that_is_given()
    {
        Assert.Equal(SaleFlags.None, Accepted(Row(productId: "P2", quantity: "3", totalPrice: "7.50")).Flags);
    }

    // Flag unknown_channel.

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fax")]
    [InlineData("unknown")]
    [InlineData("web shop")]
    public void Should_flag_an_unknown_channel(string? channel)
    {
        var sale = Accepted(Row(channel: channel));

        Assert.Equal("unknown", sale.Channel);
        Assert.Equal(SaleFlags.UnknownChannel, sale.Flags);
    }

    [Theory]
    [InlineData("Brick-and-Mortar", "store")]
    [InlineData("call_centre", "phone")]
    [InlineData("E-Commerce", "online")]
    [InlineData("mobile_app", "mobile")]
    [InlineData(" Amazon ", "marketplace")]
    public void Should_store_the_canonical_channel_without_flag(string channel, string expected)
    {
        var sale = Accepted(Row(channel: channel));

        Assert.Equal(expected, sale.Channel);
        Assert.Equal(SaleFlags.None, sale.Flags);
    }

    // Flag unknown_product.

    [Fact]
    public void Should_keep_a_sale_of_an_unknown_product_and_flag_it()
    {
        var sale = Accepted(Row(productId: "zz-1", quantity: "1", totalPrice: "99999.00"));

        Assert.Equal("ZZ-1", sale.ProductId);
        Assert.Equal(SaleFlags.UnknownProduct, sale.Flags);
    }

    [Fact]
    public void Should_not_flag_a_known_product_whatever_its_case()
    {
        Assert.Equal(SaleFlags.None, Accepted(Row(productId: "p1")).Flags);
    }

    // Flag price_outlier (P1 has base price 10.00; the default threshold is 0.5).

    [Theory]
    [InlineData("2", "30.01")]
    [InlineData("2", "9.99")]
    [InlineData("-2", "-30.01")]
    [InlineData("2", "-30.01")]
    [InlineData("1", "1000")]
    [InlineData("1", "0")]
    public void Should_flag_a_unit_price_that_deviates_more_than_the_threshold(string quantity, string totalPrice)
    {
        var sale = Accepted(Row(quantity: quantity, totalPrice: totalPrice));

        Assert.Equal(SaleFlags.PriceOutlier, sale.Flags & SaleFlags.PriceOutlier);
    }

    [Theory]
    [InlineData("2", "30.00")]
    [InlineData("2", "10.00")]
    [InlineData("-2", "-30.00")]
    [InlineData("2", "30.004")]
    [InlineData("3", "45.00")]
    [InlineData("1", "14.99")]
    public void Should_not_flag_a_deviation_up_to_the_threshold_on_the_final_price(string quantity, string totalPrice)
    {
        var sale = Accepted(Row(quantity: quantity, totalPrice: totalPrice));

        Assert.Equal(SaleFlags.None, sale.Flags & SaleFlags.PriceOutlier);
    }

    [Theory]
    [InlineData("FREE", "1000.00")]
    [InlineData("NOT-IN-CATALOG", "1000.00")]
    public void Should_not_check_outliers_without_a_positive_base_price(string productId, string totalPrice)
    {
        var sale = Accepted(Row(productId: productId, quantity: "1", totalPrice: totalPrice));

        Assert.Equal(SaleFlags.None, sale.Flags & SaleFlags.PriceOutlier);
    }

    [Theory]
    [InlineData("12.01", true)]
    [InlineData("12.00", false)]
    [InlineData("7.99", true)]
    [InlineData("8.00", false)]
    public void Should_take_the_outlier_threshold_from_the_options(string totalPrice, bool outlier)
    {
        var sale = Accepted(Row(quantity: "1", totalPrice: totalPrice), outlierThreshold: 0.2m);

        Assert.Equal(outlier, sale.Flags.HasFlag(SaleFlags.PriceOutlier));
    }

    [Fact]
    public void Should_combine_flags()
    {
        var sale = Accepted(Row(quantity: "-1", totalPrice: "50", channel: "telegraph"));

        Assert.Equal(-50.00m, sale.TotalPrice);
        Assert.Equal(SaleFlags.SignCorrected | SaleFlags.UnknownChannel | SaleFlags.PriceOutlier, sale.Flags);
    }
}
