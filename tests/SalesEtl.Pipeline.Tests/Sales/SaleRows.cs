using SalesEtl.Pipeline.Sales;

namespace SalesEtl.Pipeline.Tests.Sales;

/// <summary>A valid row and a small catalog, so that each test changes only what it is about.</summary>
internal static class SaleRows
{
    /// <summary>2024-06-01T12:00:00Z.</summary>
    public static readonly DateTimeOffset AsOf = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly IReadOnlyDictionary<string, decimal> Catalog = new Dictionary<string, decimal>
    {
        ["P1"] = 10.00m,
        ["P2"] = 2.50m,
        ["FREE"] = 0.00m,
    };

    public static RawSale Row(
        string? transactionId = "T1",
        string? customerId = "C1",
        string? productId = "P1",
        string? saleDate = "2024-05-01",
        string? quantity = "2",
        string? totalPrice = "20.00",
        string? channel = "online",
        long line = 2,
        bool malformed = false) =>
        new(line, malformed, "raw", transactionId, customerId, productId, saleDate, quantity, totalPrice, channel);

    public static SaleOutcome Normalize(RawSale row, decimal outlierThreshold = 0.5m) =>
        new SaleNormalizer(new SaleNormalizerOptions { PriceOutlierThreshold = outlierThreshold })
            .Normalize(row, AsOf, Catalog);

    public static NormalizedSale Accepted(RawSale row, decimal outlierThreshold = 0.5m)
    {
        var outcome = Normalize(row, outlierThreshold);
        Assert.Null(outcome.RejectReason);
        Assert.NotNull(outcome.Sale);
        return outcome.Sale;
    }

    public static void Rejected(RawSale row, string reason)
    {
        var outcome = Normalize(row);
        Assert.Null(outcome.Sale);
        Assert.Equal(reason, outcome.RejectReason);
    }
}
