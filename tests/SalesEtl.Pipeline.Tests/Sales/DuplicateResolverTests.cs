using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

public class Resolving_duplicates
{
    private static readonly DateTime May1 = new(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc);

    private static NormalizedSale Sale(
        long line,
        string transactionId = "T1",
        string? customerId = "C1",
        string productId = "P1",
        DateTime? saleDate = null,
        int quantity = 2,
        decimal totalPrice = 20.00m,
        string channel = "online",
        SaleFlags flags = SaleFlags.None) =>
        new(line, transactionId, customerId, productId, saleDate ?? May1, quantity, totalPrice, channel, flags, "raw");

    private static List<(DuplicateKind Kind, long? Of)> Resolve(params NormalizedSale[] sales) =>
        DuplicateResolver.Resolve(sales).Select(r => (r.Kind, r.DuplicateOfLine)).ToList();

    [Fact]
    public void Should_accept_rows_with_distinct_ids()
    {
        Assert.Equal(
            [(DuplicateKind.Accepted, null), (DuplicateKind.Accepted, null), (DuplicateKind.Accepted, null)],
            Resolve(Sale(2, "T1"), Sale(3, "T2"), Sale(4, "t1")));
    }

    [Fact]
    public void Should_drop_a_later_equal_row_as_an_exact_duplicate_of_the_first()
    {
        Assert.Equal(
            [(DuplicateKind.Accepted, null), (DuplicateKind.DuplicateExact, 2L), (DuplicateKind.DuplicateExact, 2L)],
            Resolve(Sale(2), Sale(5), Sale(9)));
    }

    [Fact]
    public void Should_reject_a_later_row_with_other_content_as_a_conflict_and_keep_the_first()
    {
        Assert.Equal(
            [(DuplicateKind.Accepted, null), (DuplicateKind.DuplicateConflict, 2L)],
            Resolve(Sale(2, quantity: 2), Sale(3, quantity: 3)));
    }

    [Fact]
    public void Should_make_a_row_equal_to_a_conflict_row_an_exact_duplicate_of_that_row()
    {
        Assert.Equal(
            [
                (DuplicateKind.Accepted, null),
                (DuplicateKind.DuplicateConflict, 2L),
                (DuplicateKind.DuplicateExact, 3L),
                (DuplicateKind.DuplicateExact, 2L),
                (DuplicateKind.DuplicateConflict, 2L),
            ],
            Resolve(
                Sale(2, totalPrice: 20.00m),
                Sale(3, totalPrice: 25.00m),
                Sale(4, totalPrice: 25.00m),
                Sale(5, totalPrice: 20.00m),
                Sale(6, totalPrice: 30.00m)));
    }

    [Fact]
    public void Should_ignore_flags_and_source_lines_and_compare_amounts_by_value()
    {
        Assert.Equal(
            [(DuplicateKind.Accepted, null), (DuplicateKind.DuplicateExact, 2L)],
            Resolve(Sale(2, totalPrice: 12.5m), Sale(7, totalPrice: 12.50m, flags: SaleFlags.SignCorrected | SaleFlags.PriceOutlier)));
    }

    public static TheoryData<NormalizedSale> DifferentContent => new()
    {
        Sale(3, customerId: "c1"),
        Sale(3, customerId: null),
        Sale(3, productId: "P2"),
        Sale(3, saleDate: May1.AddTicks(1)),
        Sale(3, quantity: -2),
        Sale(3, totalPrice: 20.01m),
        Sale(3, channel: "store"),
    };

    [Theory]
    [MemberData(nameof(DifferentContent))]
    public void Should_compare_every_content_field(NormalizedSale later)
    {
        Assert.Equal(
            [(DuplicateKind.Accepted, null), (DuplicateKind.DuplicateConflict, 2L)],
            Resolve(Sale(2), later));
    }

    [Fact]
    public void Should_keep_ids_apart()
    {
        Assert.Equal(
            [
                (DuplicateKind.Accepted, null),
                (DuplicateKind.Accepted, null),
                (DuplicateKind.DuplicateExact, 3L),
                (DuplicateKind.DuplicateConflict, 2L),
            ],
            Resolve(Sale(2, "A", quantity: 1), Sale(3, "B", quantity: 1), Sale(4, "B", quantity: 1), Sale(5, "A", quantity: 9)));
    }

    [Fact]
    public void Should_classify_one_sale_at_a_time_in_file_order()
    {
        var resolver = new DuplicateResolver();
        var first = Sale(2);

        Assert.Equal(new DuplicateResolution(first, DuplicateKind.Accepted, null), resolver.Classify(first));
        Assert.Equal(DuplicateKind.DuplicateExact, resolver.Classify(Sale(3)).Kind);
    }

    [Fact]
    public void Should_take_the_content_of_a_sale_without_line_and_flags()
    {
        var content = SaleContent.Of(Sale(42, flags: SaleFlags.UnknownChannel));

        Assert.Equal(new SaleContent("T1", "C1", "P1", May1, 2, 20.00m, "online"), content);
    }
}
