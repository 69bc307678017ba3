using SalesEtl.Pipeline.Sales;
using static SalesEtl.Pipeline.Tests.Sales.SaleRows;

namespace SalesEtl.Pipeline.Tests.Sales;

/// <summary>Which stream events claim their transaction id across windows: those whose row passes the rules (SPEC §1).</summary>
public class Claiming_a_transaction_id_across_windows
{
    [Fact]
    public void Should_claim_the_trimmed_id_of_a_valid_row()
    {
        Assert.Equal("T1", CrossWindowClaim.ClaimedId(Row(transactionId: " \tT1 "), AsOf));
    }

    [Theory]
    [InlineData(null, "n/a", "2024-05-01")]        // rule 6
    [InlineData(null, "0", "2024-05-01")]          // rule 7
    [InlineData("abc", "2", "2024-05-01")]         // rule 8
    [InlineData("20.00", "2", "yesterday")]        // rule 4
    [InlineData("20.00", "2", "2024-06-02T12:00:01Z")] // rule 5: later than as-of + 24 h
    public void Should_claim_nothing_for_a_rejected_row(string? price, string quantity, string saleDate)
    {
        Assert.Null(CrossWindowClaim.ClaimedId(Row(totalPrice: price ?? "20.00", quantity: quantity, saleDate: saleDate), AsOf));
    }

    [Fact]
    public void Should_claim_nothing_for_a_malformed_record_or_an_empty_id()
    {
        Assert.Null(CrossWindowClaim.ClaimedId(Row(malformed: true), AsOf));
        Assert.Null(CrossWindowClaim.ClaimedId(Row(transactionId: "  "), AsOf));
    }

    // The stated deviation: the catalog is not known when a window closes, so rule 9 is taken as passed.
    [Fact]
    public void Should_claim_for_an_empty_price_whatever_the_product()
    {
        Assert.Equal("T1", CrossWindowClaim.ClaimedId(Row(productId: "NOT-IN-ANY-CATALOG", totalPrice: ""), AsOf));
    }
}
